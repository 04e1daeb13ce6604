"""Drivers for running real Cinder backups on a machine without storage.

LocalFileVolumeDriver: the fake volume driver, whose volumes are sparse files that os-brick's
'local' connector attaches by path (no iSCSI target needed); LocalFileHAVolumeDriver the same for
an active/active backend. SlowPosixBackupDriver: the POSIX
backup driver, taking CINDER_TEST_BACKUP_SECONDS longer for each backup, restore and delete, so a
test can catch work in flight. Loaded by class path from cinder.conf, like any driver.
"""
import os
import time

from cinder.backup.drivers import posix
from cinder.tests import fake_driver

DATA = os.environ.get('CINDER_TEST_VOLUME_DIR', '/tmp/cinder-test-volumes')


def _pause():
    time.sleep(float(os.environ.get('CINDER_TEST_BACKUP_SECONDS', '0')))


class _LocalFiles:
    def initialize_connection(self, volume, connector):
        os.makedirs(DATA, exist_ok=True)
        path = os.path.join(DATA, volume['id'])
        if not os.path.exists(path):
            with open(path, 'wb') as f:
                f.truncate(1024 * 1024)
        return {'driver_volume_type': 'local', 'data': {'device_path': path}}


class LocalFileVolumeDriver(_LocalFiles, fake_driver.FakeLoggingVolumeDriver):
    pass


class LocalFileHAVolumeDriver(_LocalFiles, fake_driver.FakeHAReplicatedLoggingVolumeDriver):
    pass


class SlowPosixBackupDriver(posix.PosixBackupDriver):
    def backup(self, backup, volume_file, backup_metadata=True):
        _pause()
        return super().backup(backup, volume_file, backup_metadata)

    def restore(self, backup, volume_id, volume_file, *args):
        _pause()
        return super().restore(backup, volume_id, volume_file, *args)

    def delete_backup(self, backup):
        _pause()
        return super().delete_backup(backup)
