{{/*
Names and labels. Every object is named after the release, which dvcc's
deploy jobs name after the service: the Rollout the pipeline waits for is
`rollout/<service>`.
*/}}
{{/* The application's name: the service's (`name` in its values), the chart's when unset. */}}
{{- define "dvcc.name" -}}
{{ .Values.name | default .Chart.Name }}
{{- end }}

{{- define "dvcc.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | quote }}
app.kubernetes.io/name: {{ include "dvcc.name" . | quote }}
app.kubernetes.io/instance: {{ .Release.Name | quote }}
app.kubernetes.io/version: {{ .Values.image.tag | trunc 63 | trimSuffix "-" | trimSuffix "." | trimSuffix "_" | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service | quote }}
{{- end }}

{{- define "dvcc.selectorLabels" -}}
app.kubernetes.io/name: {{ include "dvcc.name" . | quote }}
app.kubernetes.io/instance: {{ .Release.Name | quote }}
{{- end }}

{{/* The Kubernetes Secret a `secretEnv` entry reads: the ExternalSecret's target when enabled. */}}
{{- define "dvcc.secretName" -}}
{{- if .root.Values.externalSecrets.enabled -}}
{{ printf "%s-%s" .root.Release.Name .secret }}
{{- else -}}
{{ .secret }}
{{- end -}}
{{- end }}

{{/* The router splitting a canary's traffic (`istio`, `nginx`, `alb`), or nothing. */}}
{{- define "dvcc.router" -}}
{{- if .Values.rollout.enabled }}
{{- with .Values.rollout.canary }}
{{- with .traffic }}{{ .router }}{{ end }}
{{- end }}
{{- end }}
{{- end }}

{{/* The pod template shared by the Deployment and the Rollout. */}}
{{- define "dvcc.podTemplate" -}}
metadata:
  labels:
    {{- include "dvcc.selectorLabels" . | nindent 4 }}
    {{- with .Values.podLabels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- with .Values.podAnnotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  serviceAccountName: {{ .Release.Name | quote }}
  automountServiceAccountToken: false
  securityContext:
    {{- toYaml .Values.podSecurityContext | nindent 4 }}
  {{- with .Values.priorityClassName }}
  priorityClassName: {{ . | quote }}
  {{- end }}
  {{- with .Values.nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.tolerations }}
  tolerations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- if .Values.spread }}
  topologySpreadConstraints:
    {{- range .Values.spread }}
    - topologyKey: {{ . | quote }}
      maxSkew: 1
      whenUnsatisfiable: ScheduleAnyway
      labelSelector:
        matchLabels:
          {{- include "dvcc.selectorLabels" $ | nindent 10 }}
    {{- end }}
  {{- end }}
  {{- with .Values.extra }}
  {{- with .pod }}
  {{- toYaml . | nindent 2 }}
  {{- end }}
  {{- end }}
  containers:
    - name: {{ include "dvcc.name" . | quote }}
      {{- if .Values.image.digest }}
      image: {{ printf "%s@%s" .Values.image.repository .Values.image.digest | quote }}
      {{- else }}
      image: {{ printf "%s:%s" .Values.image.repository .Values.image.tag | quote }}
      {{- end }}
      imagePullPolicy: {{ .Values.image.pullPolicy }}
      {{- with .Values.command }}
      command:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with .Values.args }}
      args:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- if or .Values.port .Values.ports }}
      ports:
        {{- if .Values.port }}
        - name: http
          containerPort: {{ .Values.port }}
          protocol: TCP
        {{- end }}
        {{- range .Values.ports }}
        - name: {{ .name | quote }}
          containerPort: {{ .port }}
          protocol: TCP
        {{- end }}
      {{- end }}
      {{- if or .Values.env .Values.secretEnv }}
      env:
        {{- range $name, $value := .Values.env }}
        - name: {{ $name | quote }}
          value: {{ $value | quote }}
        {{- end }}
        {{- range $name, $ref := .Values.secretEnv }}
        - name: {{ $name | quote }}
          valueFrom:
            secretKeyRef:
              name: {{ include "dvcc.secretName" (dict "root" $ "secret" $ref.secret) | quote }}
              key: {{ $ref.key | quote }}
        {{- end }}
      {{- end }}
      {{- with .Values.probes }}
      {{- with .readiness }}
      readinessProbe:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with .liveness }}
      livenessProbe:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with .startup }}
      startupProbe:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- end }}
      resources:
        {{- toYaml .Values.resources | nindent 8 }}
      securityContext:
        {{- toYaml .Values.securityContext | nindent 8 }}
      volumeMounts:
        - name: tmp
          mountPath: /tmp
        {{- range .Values.volumes }}
        - name: {{ printf "v-%s" .name | quote }}
          mountPath: {{ .mountPath | quote }}
          readOnly: {{ .readOnly }}
        {{- end }}
      {{- with .Values.extra }}
      {{- with .container }}
      {{- toYaml . | nindent 6 }}
      {{- end }}
      {{- end }}
  volumes:
    - name: tmp
      emptyDir: {}
    {{- range .Values.volumes }}
    - name: {{ printf "v-%s" .name | quote }}
      {{- if eq .kind "claim" }}
      persistentVolumeClaim:
        claimName: {{ printf "%s-%s" $.Release.Name .name | quote }}
      {{- else if eq .kind "configMap" }}
      configMap:
        name: {{ .source | quote }}
      {{- else if eq .kind "keys" }}
      secret:
        secretName: {{ .source | quote }}
      {{- else }}
      emptyDir: {}
      {{- end }}
    {{- end }}
{{- end }}
