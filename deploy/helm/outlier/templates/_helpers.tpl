{{/* Labels every object carries; called with (dict "root" $ "component" "collector"|"detector"|"alerter"). */}}
{{- define "outlier.labels" -}}
{{ include "outlier.selectorLabels" . }}
app.kubernetes.io/part-of: outlier
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ .root.Chart.Name }}-{{ .root.Chart.Version }}
{{- end }}

{{/* What Deployments, the DaemonSet and Services select on (immutable once installed). */}}
{{- define "outlier.selectorLabels" -}}
app.kubernetes.io/name: {{ .root.Release.Name }}-{{ .component }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- end }}

{{- define "outlier.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end }}

{{/* The kafka: block of every service's config file (topics and group settings stay at their defaults). */}}
{{- define "outlier.kafkaConfig" -}}
kafka:
  brokers: {{ .Values.kafka.brokers | toJson }}
  {{- if .Values.kafka.tls.enabled }}
  ssl:
    enabled: true
    {{- if .Values.kafka.tls.existingSecret }}
    caFile: /etc/outlier/kafka-tls/ca.crt
    {{- if .Values.kafka.tls.clientCertificate }}
    certFile: /etc/outlier/kafka-tls/tls.crt
    keyFile: /etc/outlier/kafka-tls/tls.key
    {{- end }}
    {{- end }}
  {{- end }}
  {{- if .Values.kafka.sasl.mechanism }}
  sasl:
    mechanism: {{ .Values.kafka.sasl.mechanism }}
    username: {{ required "kafka.sasl.username is required with kafka.sasl.mechanism" .Values.kafka.sasl.username | quote }}
  {{- end }}
{{- end }}

{{/* The redis: block of the detector's and alerter's config file. */}}
{{- define "outlier.redisConfig" -}}
redis:
  url: {{ .Values.redis.url | quote }}
  {{- with .Values.redis.username }}
  username: {{ . | quote }}
  {{- end }}
{{- end }}

{{/*
Environment and volumes for the Kafka and Redis credentials; $prefix is OUTLIER_DETECTOR etc.
A credential without a Secret gets neither an env var nor a mount: no password, not a missing file.
*/}}
{{- define "outlier.credentialEnv" -}}
{{- $v := .root.Values -}}
{{- if $v.kafka.sasl.mechanism }}
- name: {{ .prefix }}_KAFKA_SASL_PASSWORD_FILE
  value: /etc/outlier/kafka-sasl/{{ $v.kafka.sasl.passwordKey }}
{{- end }}
{{- if and .redis $v.redis.existingSecret }}
- name: {{ .prefix }}_REDIS_PASSWORD_FILE
  value: /etc/outlier/redis/{{ $v.redis.passwordKey }}
{{- end }}
{{- end }}

{{- define "outlier.credentialMounts" -}}
{{- $v := .root.Values -}}
{{- if and $v.kafka.tls.enabled $v.kafka.tls.existingSecret }}
- { name: kafka-tls, mountPath: /etc/outlier/kafka-tls, readOnly: true }
{{- end }}
{{- if $v.kafka.sasl.mechanism }}
- { name: kafka-sasl, mountPath: /etc/outlier/kafka-sasl, readOnly: true }
{{- end }}
{{- if and .redis $v.redis.existingSecret }}
- { name: redis, mountPath: /etc/outlier/redis, readOnly: true }
{{- end }}
{{- end }}

{{- define "outlier.credentialVolumes" -}}
{{- $v := .root.Values -}}
{{- if and $v.kafka.tls.enabled $v.kafka.tls.existingSecret }}
- name: kafka-tls
  secret: { secretName: {{ $v.kafka.tls.existingSecret }} }
{{- end }}
{{- if $v.kafka.sasl.mechanism }}
- name: kafka-sasl
  secret: { secretName: {{ required "kafka.sasl.existingSecret is required with kafka.sasl.mechanism" $v.kafka.sasl.existingSecret }} }
{{- end }}
{{- if and .redis $v.redis.existingSecret }}
- name: redis
  secret: { secretName: {{ $v.redis.existingSecret }} }
{{- end }}
{{- end }}

{{/* Restricted Pod Security: non-root, no privilege escalation, no capabilities, seccomp, read-only root. */}}
{{- define "outlier.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
capabilities: { drop: ["ALL"] }
{{- end }}

{{/*
The collector's namespace: its own by default, because it reads host paths and only the
privileged Pod Security level allows that, while the release namespace (detector, alerter)
can enforce restricted. Empty: the release namespace.
*/}}
{{- define "outlier.collectorNamespace" -}}
{{ .Values.collector.namespace | default .Release.Namespace }}
{{- end }}
