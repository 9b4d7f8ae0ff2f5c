{{/*
The services' config files (the schemas in each service's src/config.ts). Each is a named
template so that the workload can carry its checksum: a changed config restarts the pods.
*/}}
{{- define "outlier.collectorConfig" -}}
{{- $src := .Values.collector.sources -}}
cluster: {{ .Values.cluster | quote }}
logLevel: {{ .Values.logLevel }}
{{ include "outlier.kafkaConfig" . }}
stateDir: /var/lib/outlier-collector
{{- if .Values.collector.tls.existingSecret }}
http:
  tls:
    certFile: /etc/outlier/tls/tls.crt
    keyFile: /etc/outlier/tls/tls.key
{{- end }}
kubernetes:
  enabled: {{ .Values.collector.kubernetes.enabled }}
sources:
  {{- if $src.tetragonFile.enabled }}
  tetragonFile:
    path: /host/tetragon/{{ $src.tetragonFile.fileName }}
  {{- end }}
  {{- if $src.falcoFile.enabled }}
  falcoFile:
    path: /host/falco/{{ $src.falcoFile.fileName }}
  {{- end }}
  {{- if $src.falcoHttp.enabled }}
  falcoHttp:
    enabled: true
  {{- end }}
  {{- if $src.auditWebhook.enabled }}
  auditWebhook:
    enabled: true
  {{- end }}
{{- end }}

{{- define "outlier.detectorConfig" -}}
logLevel: {{ .Values.logLevel }}
{{ include "outlier.kafkaConfig" . }}
{{ include "outlier.redisConfig" . }}
kubernetes:
  enabled: {{ .Values.detector.kubernetes.enabled }}
{{- with .Values.detector.settings }}
detector: {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{- define "outlier.alerterConfig" -}}
logLevel: {{ .Values.logLevel }}
{{ include "outlier.kafkaConfig" . }}
{{ include "outlier.redisConfig" . }}
routesFile: /etc/outlier/routes.yaml
{{- end }}
