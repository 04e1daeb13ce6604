# Imitates an older Cinder release on this code: lowers RPC_API_VERSION of the named classes
# right after their module is loaded, before anything reads them. Set by the test runtime.
import importlib.abc
import importlib.util
import os
import sys

_WANTED = {}
for _item in filter(None, os.environ.get('CINDER_IMITATE_RPC', '').split(',')):
    _target, _version = _item.split('=')
    _module, _cls = _target.split(':')
    _WANTED.setdefault(_module, []).append((_cls, _version))


class _Lowering(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, name, path, target=None):
        if name not in _WANTED:
            return None
        sys.meta_path.remove(self)
        try:
            spec = importlib.util.find_spec(name)
        finally:
            sys.meta_path.insert(0, self)
        if spec is None:
            return None
        self._inner = spec.loader
        spec.loader = self
        return spec

    def create_module(self, spec):
        return self._inner.create_module(spec)

    def exec_module(self, module):
        self._inner.exec_module(module)
        for cls, version in _WANTED[module.__name__]:
            getattr(module, cls).RPC_API_VERSION = version


if _WANTED:
    sys.meta_path.insert(0, _Lowering())
