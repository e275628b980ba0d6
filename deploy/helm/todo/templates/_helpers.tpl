{{/* Names and labels shared by every template (docs/decisions/0047-helm-chart.md). */}}

{{- define "todo.name" -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}

{{- define "todo.labels" -}}
app.kubernetes.io/name: todo
app.kubernetes.io/part-of: todo
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* Selector labels of one component: (dict "root" $ "component" "api") */}}
{{- define "todo.selector" -}}
app.kubernetes.io/name: todo
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "todo.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{/* The Service names other parts reach. */}}
{{- define "todo.postgresql.host" -}}{{ include "todo.name" . }}-postgresql{{- end -}}
{{- define "todo.kafka.host" -}}{{ include "todo.name" . }}-kafka{{- end -}}

{{/* Kafka bootstrap brokers as the sidecars see them. */}}
{{- define "todo.kafka.brokers" -}}
{{- if .Values.kafka.internal.enabled -}}
{{ include "todo.kafka.host" . }}.{{ .Release.Namespace }}.svc.cluster.local:9092
{{- else if .Values.kafka.strimzi.enabled -}}
{{ .Values.kafka.strimzi.clusterName }}-kafka-bootstrap.{{ .Release.Namespace }}.svc.cluster.local:{{ ternary 9093 9092 .Values.kafka.tls }}
{{- else -}}
{{ required "kafka.brokers is required (or kafka.internal.enabled / kafka.strimzi.enabled)" .Values.kafka.brokers }}
{{- end -}}
{{- end -}}

{{/* Hook events of the migration Job (values.yaml: migrations.hooks). */}}
{{- define "todo.migrations.hooks" -}}
{{- if .Values.migrations.hooks -}}
{{ .Values.migrations.hooks }}
{{- else if or .Values.secrets.create .Values.postgresql.internal.enabled -}}
post-install,pre-upgrade
{{- else -}}
pre-install,pre-upgrade
{{- end -}}
{{- end -}}

{{/* The public URL: publicUrl, or derived from the Ingress host. */}}
{{- define "todo.publicUrl" -}}
{{- if .Values.publicUrl -}}
{{ .Values.publicUrl }}
{{- else if .Values.ingress.enabled -}}
{{ ternary "https" "http" .Values.ingress.tls.enabled }}://{{ .Values.ingress.host }}
{{- end -}}
{{- end -}}

{{/* The pod security context every role and the migration Job run with. The uid is the
     app container's (todo.appSecurityContext), not the pod's: the injected sidecar must keep
     its image's (daprd refuses any uid but 65532 in Kubernetes mode). */}}
{{- define "todo.podSecurityContext" -}}
runAsNonRoot: true
fsGroup: {{ .Values.pod.runAsGroup }}
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* The app container's: the image's user, and todo.containerSecurityContext. */}}
{{- define "todo.appSecurityContext" -}}
runAsUser: {{ .Values.pod.runAsUser }}
runAsGroup: {{ .Values.pod.runAsGroup }}
{{ include "todo.containerSecurityContext" . }}
{{- end -}}

{{- define "todo.containerSecurityContext" -}}
runAsNonRoot: true
readOnlyRootFilesystem: true
allowPrivilegeEscalation: false
privileged: false
capabilities:
  drop: ["ALL"]
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* A value kept across upgrades: the existing Secret's key, else the given value, else
     random. (dict "root" $ "key" "jwt-secret" "value" .Values.secrets.jwtSecret "len" 48) */}}
{{- define "todo.secretValue" -}}
{{- $existing := lookup "v1" "Secret" .root.Release.Namespace .root.Values.secrets.name -}}
{{- if .value -}}
{{ .value }}
{{- else if and $existing (index ($existing.data | default dict) .key) -}}
{{ index $existing.data .key | b64dec }}
{{- else -}}
{{ randAlphaNum (int .len) }}
{{- end -}}
{{- end -}}

{{/* Role names in a fixed order. */}}
{{- define "todo.roleNames" -}}api audit recurring notify realtime web{{- end -}}

{{/* NetworkPolicy egress rule to the Kafka brokers, wherever they are. */}}
{{- define "todo.np.kafkaEgress" -}}
{{- if .Values.kafka.internal.enabled -}}
# Kafka (the chart's own)
- to:
    - podSelector:
        matchLabels:
          {{- include "todo.selector" (dict "root" . "component" "kafka") | nindent 10 }}
  ports:
    - {port: 9092, protocol: TCP}
{{- else if .Values.kafka.strimzi.enabled -}}
# Kafka (Strimzi)
- to:
    - podSelector:
        matchLabels: {strimzi.io/cluster: {{ .Values.kafka.strimzi.clusterName | quote }}}
  ports:
    - {port: 9092, protocol: TCP}
    - {port: 9093, protocol: TCP}
{{- else -}}
# Kafka (managed)
- to:
    {{- range .Values.kafka.egress.cidrs }}
    - ipBlock: {cidr: {{ . | quote }}}
    {{- end }}
  ports:
    {{- range .Values.kafka.egress.ports }}
    - {port: {{ . }}, protocol: TCP}
    {{- end }}
{{- end -}}
{{- end -}}

{{/* NetworkPolicy egress rule to PostgreSQL. */}}
{{- define "todo.np.postgresEgress" -}}
{{- if .Values.postgresql.internal.enabled -}}
# PostgreSQL (the chart's own)
- to:
    - podSelector:
        matchLabels:
          {{- include "todo.selector" (dict "root" . "component" "postgresql") | nindent 10 }}
  ports:
    - {port: 5432, protocol: TCP}
{{- else -}}
# PostgreSQL (managed)
- to:
    {{- range .Values.postgresql.egress.cidrs }}
    - ipBlock: {cidr: {{ . | quote }}}
    {{- end }}
  ports:
    {{- range .Values.postgresql.egress.ports }}
    - {port: {{ . }}, protocol: TCP}
    {{- end }}
{{- end -}}
{{- end -}}
