{{/* Chart name, overridable. */}}
{{- define "cinder-operator.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name: the release name when it already contains the chart name. */}}
{{- define "cinder-operator.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "cinder-operator.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "cinder-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "cinder-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "cinder-operator.labels" -}}
helm.sh/chart: {{ include "cinder-operator.chart" . }}
{{ include "cinder-operator.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "cinder-operator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "cinder-operator.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "cinder-operator.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/* The Lease of this release's leader election. */}}
{{- define "cinder-operator.leaseName" -}}
{{- printf "%s-leader" (include "cinder-operator.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The namespaces the operator watches and is granted anything in; empty for every namespace. */}}
{{- define "cinder-operator.watchedNamespaces" -}}
{{- if and .Values.watchAllNamespaces .Values.watchNamespaces }}
{{- fail "watchAllNamespaces and watchNamespaces exclude each other: set one" }}
{{- end }}
{{- if .Values.watchAllNamespaces }}
{{- list | toJson }}
{{- else if .Values.watchNamespaces }}
{{- .Values.watchNamespaces | toJson }}
{{- else }}
{{- list .Release.Namespace | toJson }}
{{- end }}
{{- end }}

{{- define "cinder-operator.watchNamespacesEnv" -}}
{{- join "," (include "cinder-operator.watchedNamespaces" . | fromJsonArray) }}
{{- end }}

{{/*
The operator's permissions in the namespaces it watches: the only list of them in the chart.
Every verb here is one the operator calls (docs/security.md says why); the e2e RBAC test fails
when the operator makes a call these rules do not allow, or when a rule is never used.
*/}}
{{- define "cinder-operator.watchRules" -}}
- apiGroups: ["cinder.operator.dev"]
  resources: ["cinderclusters"]
  verbs: ["get", "list", "watch", "patch"]
- apiGroups: ["cinder.operator.dev"]
  resources: ["cinderclusters/status"]
  verbs: ["update"]
- apiGroups: ["cinder.operator.dev"]
  resources: ["cinderclusters/finalizers"]
  verbs: ["update"]
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["get", "list", "watch", "create", "update"]
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["get", "list", "watch"]
- apiGroups: [""]
  resources: ["pods/eviction"]
  verbs: ["create"]
{{- if .Values.unpinBySignal }}
- apiGroups: [""]
  resources: ["pods/exec"]
  verbs: ["create"]
{{- end }}
- apiGroups: [""]
  resources: ["services"]
  verbs: ["list", "watch", "create", "update"]
- apiGroups: ["apps"]
  resources: ["statefulsets"]
  verbs: ["list", "watch", "create", "update", "delete"]
- apiGroups: ["apps"]
  resources: ["deployments"]
  verbs: ["list", "watch", "create", "update"]
- apiGroups: ["policy"]
  resources: ["poddisruptionbudgets"]
  verbs: ["list", "watch", "create", "update", "delete"]
- apiGroups: ["batch"]
  resources: ["jobs"]
  verbs: ["list", "watch", "create", "delete"]
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create"]
{{- end }}

{{/* Leader election: the Lease lives in the release namespace only. */}}
{{- define "cinder-operator.leaseRules" -}}
- apiGroups: ["coordination.k8s.io"]
  resources: ["leases"]
  verbs: ["get", "create", "update", "patch"]
{{- end }}
