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
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/*
A name made of the full name and a suffix, within the 63 characters of a Kubernetes name: the
full name is shortened, never the suffix, so that names stay distinct for any release name.
Call with (list $ "suffix").
*/}}
{{- define "mosapi-exporter.suffixedName" -}}
{{- $root := index . 0 }}
{{- $suffix := printf "-%s" (index . 1) }}
{{- $prefix := include "mosapi-exporter.fullname" $root | trunc (int (sub 63 (len $suffix))) | trimSuffix "-" }}
{{- printf "%s%s" $prefix $suffix }}
{{- end }}

{{/*
The exporter's web configuration as the chart sees it (web.config, the exporter-toolkit
format): whether it serves TLS, requires client certificates, or asks for Basic auth.
*/}}
{{- define "mosapi-exporter.tls" -}}
{{- if hasKey .Values.web.config "tls_server_config" }}true{{ end }}
{{- end }}

{{- define "mosapi-exporter.clientCertRequired" -}}
{{- $tls := get .Values.web.config "tls_server_config" | default dict }}
{{- if has ($tls.client_auth_type | default "") (list "RequireAnyClientCert" "RequireAndVerifyClientCert") }}true{{ end }}
{{- end }}

{{- define "mosapi-exporter.basicAuth" -}}
{{- if get .Values.web.config "basic_auth_users" }}true{{ end }}
{{- end }}

{{- define "mosapi-exporter.scheme" -}}
{{- if include "mosapi-exporter.tls" . }}https{{ else }}http{{ end }}
{{- end }}

{{/*
The job label Prometheus gives the exporter when it scrapes it through the chart's
ServiceMonitor: the value of the Service's label named by serviceMonitor.jobLabel, or the
Service's name when jobLabel is empty or not a label of the Service (Prometheus Operator's
rule). The PrometheusRule's MosapiExporterDown selects this job unless
prometheusRule.exporterJob says otherwise.
*/}}
{{- define "mosapi-exporter.job" -}}
{{- $labels := include "mosapi-exporter.labels" . | fromYaml }}
{{- $jobLabel := .Values.serviceMonitor.jobLabel }}
{{- if and $jobLabel (hasKey $labels $jobLabel) }}
{{- get $labels $jobLabel }}
{{- else }}
{{- include "mosapi-exporter.fullname" . }}
{{- end }}
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
