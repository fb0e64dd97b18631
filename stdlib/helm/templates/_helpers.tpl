{{/*
Names and labels. Every object is named after the release, which dvcc's
deploy jobs name after the service: the Rollout the pipeline waits for is
`rollout/<service>`.
*/}}
{{- define "dvcc.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | quote }}
app.kubernetes.io/name: {{ .Chart.Name | quote }}
app.kubernetes.io/instance: {{ .Release.Name | quote }}
app.kubernetes.io/version: {{ .Values.image.tag | trunc 63 | trimSuffix "-" | trimSuffix "." | trimSuffix "_" | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service | quote }}
{{- end }}

{{- define "dvcc.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name | quote }}
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

{{/* The pod template shared by the Deployment and the Rollout. */}}
{{- define "dvcc.podTemplate" -}}
metadata:
  labels:
    {{- include "dvcc.selectorLabels" . | nindent 4 }}
spec:
  serviceAccountName: {{ .Release.Name | quote }}
  automountServiceAccountToken: false
  securityContext:
    {{- toYaml .Values.podSecurityContext | nindent 4 }}
  containers:
    - name: {{ .Chart.Name | quote }}
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
      {{- if .Values.port }}
      ports:
        - name: http
          containerPort: {{ .Values.port }}
          protocol: TCP
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
      {{- with .Values.health }}
      readinessProbe:
        httpGet:
          path: {{ .path | quote }}
          port: http
        periodSeconds: {{ .periodSeconds }}
        failureThreshold: 3
      livenessProbe:
        httpGet:
          path: {{ .path | quote }}
          port: http
        initialDelaySeconds: {{ .initialDelaySeconds }}
        periodSeconds: {{ .periodSeconds }}
        failureThreshold: 3
      {{- end }}
      resources:
        {{- toYaml .Values.resources | nindent 8 }}
      securityContext:
        {{- toYaml .Values.securityContext | nindent 8 }}
      volumeMounts:
        - name: tmp
          mountPath: /tmp
  volumes:
    - name: tmp
      emptyDir: {}
{{- end }}
