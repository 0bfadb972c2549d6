{{/* Chart name, overridable. */}}
{{- define "portcullis.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Resource-name prefix: <release>-portcullis, or the release name when it says portcullis. */}}
{{- define "portcullis.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "portcullis.operator.fullname" -}}{{ include "portcullis.fullname" . }}-operator{{- end -}}
{{- define "portcullis.dataplane.fullname" -}}{{ include "portcullis.fullname" . }}-dataplane{{- end -}}

{{- define "portcullis.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "portcullis.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: portcullis
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Selector labels; call with (dict "ctx" $ "component" "operator"). */}}
{{- define "portcullis.selectorLabels" -}}
app.kubernetes.io/name: {{ include "portcullis.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "portcullis.componentLabels" -}}
{{ include "portcullis.labels" .ctx }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "portcullis.operator.serviceAccountName" -}}
{{- if .Values.operator.serviceAccount.create -}}
{{- default (include "portcullis.operator.fullname" .) .Values.operator.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.operator.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "portcullis.dataplane.serviceAccountName" -}}
{{- if .Values.dataplane.serviceAccount.create -}}
{{- default (include "portcullis.dataplane.fullname" .) .Values.dataplane.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.dataplane.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* The Lease the operator replicas elect a leader on: one per IngressClass
     (io.portcullis.operator.leader.LeaderElection.leaseName). */}}
{{/* The control channel's Secrets (release namespace). */}}
{{- define "portcullis.caSecretName" -}}
{{- default (printf "%s-ca" (include "portcullis.fullname" .)) .Values.controlPlane.tls.caSecretName -}}
{{- end -}}
{{- define "portcullis.dataplaneTlsSecretName" -}}
{{- default (printf "%s-dataplane-tls" (include "portcullis.fullname" .)) .Values.controlPlane.tls.dataplaneSecretName -}}
{{- end -}}

{{/* The Secret holding the operator's generated default certificate (release namespace). */}}
{{- define "portcullis.generatedCertificateSecretName" -}}
{{- printf "%s-default-tls" (include "portcullis.fullname" .) -}}
{{- end -}}

{{- define "portcullis.leaseName" -}}
portcullis-{{ .Values.ingressClass.name }}-leader
{{- end -}}

{{- define "portcullis.image" -}}
{{ .image.repository }}:{{ default .ctx.Chart.AppVersion .image.tag }}
{{- end -}}

{{/* Pod anti-affinity; call with (dict "ctx" $ "component" "dataplane" "mode" "soft" "affinity" {}). */}}
{{- define "portcullis.affinity" -}}
{{- if .affinity }}
affinity:
  {{- toYaml .affinity | nindent 2 }}
{{- else if eq .mode "hard" }}
affinity:
  podAntiAffinity:
    requiredDuringSchedulingIgnoredDuringExecution:
      - topologyKey: kubernetes.io/hostname
        labelSelector:
          matchLabels:
            {{- include "portcullis.selectorLabels" (dict "ctx" .ctx "component" .component) | nindent 12 }}
{{- else if eq .mode "soft" }}
affinity:
  podAntiAffinity:
    preferredDuringSchedulingIgnoredDuringExecution:
      - weight: 100
        podAffinityTerm:
          topologyKey: kubernetes.io/hostname
          labelSelector:
            matchLabels:
              {{- include "portcullis.selectorLabels" (dict "ctx" .ctx "component" .component) | nindent 14 }}
{{- else if ne .mode "none" }}
{{- fail (printf "antiAffinity must be soft, hard or none, not %q" .mode) }}
{{- end }}
{{- end -}}

{{/* Fail early on values that would install something broken or pretend to be secure. */}}
{{- define "portcullis.validate" -}}
{{- if hasKey .Values.controlPlane.tls "enabled" }}
{{- fail "controlPlane.tls.enabled: the snapshot stream is always mutual TLS in a cluster (snapshots carry private keys); remove the key" }}
{{- end }}
{{- if not (has .Values.operator.endpointsSource (list "endpointslices" "endpoints")) }}
{{- fail "operator.endpointsSource must be endpointslices or endpoints" }}
{{- end }}
{{- if not (has .Values.dataplane.service.type (list "LoadBalancer" "NodePort" "ClusterIP")) }}
{{- fail "dataplane.service.type must be LoadBalancer, NodePort or ClusterIP" }}
{{- end }}
{{- if and .Values.dataplane.autoscaling.enabled (gt (int .Values.dataplane.autoscaling.minReplicas) (int .Values.dataplane.autoscaling.maxReplicas)) }}
{{- fail "dataplane.autoscaling.minReplicas must not exceed maxReplicas" }}
{{- end }}
{{- end -}}
