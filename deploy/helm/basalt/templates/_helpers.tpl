{{/* The chart's name, or nameOverride */}}
{{- define "basalt.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* release-name-basalt unless the release name already contains the chart name */}}
{{- define "basalt.fullname" -}}
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

{{- define "basalt.headless" -}}
{{- printf "%s-headless" (include "basalt.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "basalt.selectorLabels" -}}
app.kubernetes.io/name: {{ include "basalt.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "basalt.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "basalt.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/component: {{ .Values.mode }}
{{- end }}

{{- define "basalt.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/* Pods of the StatefulSet: 1, 1 + replicas, or masters * (1 + replicasPerMaster) */}}
{{- define "basalt.podCount" -}}
{{- if eq .Values.mode "standalone" }}1
{{- else if eq .Values.mode "replicated" }}{{ add 1 .Values.replication.replicas }}
{{- else if eq .Values.mode "cluster" }}{{ mul .Values.cluster.masters (add 1 .Values.cluster.replicasPerMaster) }}
{{- else }}{{ fail (printf "mode must be standalone, replicated or cluster, not %q" .Values.mode) }}
{{- end }}
{{- end }}

{{- define "basalt.secretName" -}}
{{- default (include "basalt.fullname" .) .Values.auth.existingSecret }}
{{- end }}
