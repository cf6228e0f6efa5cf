{{/*
Chart name, truncated to 63 characters (the Kubernetes name limit).
*/}}
{{- define "mosapi-exporter.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Full name: release-chart, or the release name alone when it already contains the chart name.
*/}}
{{- define "mosapi-exporter.fullname" -}}
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

{{- define "mosapi-exporter.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Standard labels (app.kubernetes.io/*) on every object.
*/}}
{{- define "mosapi-exporter.labels" -}}
helm.sh/chart: {{ include "mosapi-exporter.chart" . }}
{{ include "mosapi-exporter.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: exporter
app.kubernetes.io/part-of: mosapi-exporter
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/*
Selector labels: stable for the life of a release (a Deployment's selector is immutable).
*/}}
{{- define "mosapi-exporter.selectorLabels" -}}
app.kubernetes.io/name: {{ include "mosapi-exporter.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "mosapi-exporter.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "mosapi-exporter.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
The Secret mounted under /etc/mosapi-exporter/secrets/: the chart's own (from .Values.secrets)
or .Values.existingSecret; empty when there is none.
*/}}
{{- define "mosapi-exporter.secretName" -}}
{{- if and .Values.secrets .Values.existingSecret }}
{{- fail "set either secrets or existingSecret, not both" }}
{{- end }}
{{- if .Values.secrets }}
{{- include "mosapi-exporter.fullname" . }}
{{- else }}
{{- .Values.existingSecret }}
{{- end }}
{{- end }}

{{- define "mosapi-exporter.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}
