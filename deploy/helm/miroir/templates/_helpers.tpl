{{/*
Names, labels and the peers' stable addresses.

  voters    StatefulSet <fullname>          pod <fullname>-<n>           peer id n+1
  learners  StatefulSet <fullname>-learner  pod <fullname>-learner-<n>   peer id learners.firstId+n
  peers     headless Service <fullname>-peers (every Miroir pod, ready or not)
  address   <pod>.<fullname>-peers.<namespace>.svc.<clusterDomain>:7800 (Raft gRPC), :7700 (HTTP)
*/}}

{{- define "miroir.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "miroir.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 40 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 40 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "miroir.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels every object carries. */}}
{{- define "miroir.labels" -}}
helm.sh/chart: {{ include "miroir.chart" . }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: miroir
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end }}

{{/* Selector of every Miroir peer pod, voters and learners. */}}
{{- define "miroir.peerSelectorLabels" -}}
app.kubernetes.io/name: {{ include "miroir.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* Selector of the bundled Meilisearch pods. */}}
{{- define "miroir.meiliSelectorLabels" -}}
app.kubernetes.io/name: {{ include "miroir.name" . }}-meilisearch
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "miroir.peersService" -}}
{{- include "miroir.fullname" . }}-peers
{{- end }}

{{- define "miroir.meiliName" -}}
{{- include "miroir.fullname" . }}-meili
{{- end }}

{{- define "miroir.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "miroir.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "miroir.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/* Stable DNS name of one peer pod; call with (dict "root" $ "pod" "<pod name>"). */}}
{{- define "miroir.peerHost" -}}
{{- printf "%s.%s.%s.svc.%s" .pod (include "miroir.peersService" .root) .root.Release.Namespace .root.Values.clusterDomain }}
{{- end }}

{{/* Pod name of voter n; call with (dict "root" $ "ordinal" n). */}}
{{- define "miroir.voterPod" -}}
{{- printf "%s-%d" (include "miroir.fullname" .root) (int .ordinal) }}
{{- end }}

{{/* Pod name of learner n; call with (dict "root" $ "ordinal" n). */}}
{{- define "miroir.learnerPod" -}}
{{- printf "%s-learner-%d" (include "miroir.fullname" .root) (int .ordinal) }}
{{- end }}

{{/*
Fails the render on what the schema cannot express: the bundled nodes must fill every replica
group with replicationFactor nodes.
*/}}
{{- define "miroir.validate" -}}
{{- if .Values.meilisearch.enabled }}
{{- $needed := mul (int .Values.cluster.replicaGroups) (int .Values.cluster.replicationFactor) }}
{{- if lt (int .Values.meilisearch.replicas) (int $needed) }}
{{- fail (printf "meilisearch.replicas (%d) must be at least replicaGroups × replicationFactor (%d): every replica group needs replicationFactor nodes" (int .Values.meilisearch.replicas) (int $needed)) }}
{{- end }}
{{- end }}
{{- end }}

{{/*
The top-level part of miroir.yaml every peer shares: shape, nodes, serving ports and the extra
blocks. Keys are not here: they come from the Secret as MIROIR_* variables.
*/}}
{{- define "miroir.sharedConfig" -}}
shards: {{ int .Values.cluster.shards }}
replication_factor: {{ int .Values.cluster.replicationFactor }}
replica_groups: {{ int .Values.cluster.replicaGroups }}
nodes:
{{- if .Values.meilisearch.enabled }}
{{- $meili := include "miroir.meiliName" . }}
{{- range $ordinal := until (int .Values.meilisearch.replicas) }}
  - id: {{ printf "%s-%d" $meili $ordinal | quote }}
    address: {{ printf "http://%s-%d.%s.%s.svc.%s:7700" $meili $ordinal $meili $.Release.Namespace $.Values.clusterDomain | quote }}
    replica_group: {{ mod $ordinal (int $.Values.cluster.replicaGroups) }}
{{- end }}
{{- else }}
{{- range .Values.cluster.nodes }}
  - id: {{ .id | quote }}
    address: {{ .address | quote }}
    replica_group: {{ int .replicaGroup }}
{{- end }}
{{- end }}
server:
  bind_address: 0.0.0.0
  port: 7700
  admin_grpc_port: 7900
  metrics_port: 9090
{{- with .Values.extraConfig }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* The `peer` block of one peer; call with (dict "root" $ "id" n "pod" "<pod name>" "voter" bool). */}}
{{- define "miroir.peerConfig" -}}
{{- $root := .root }}
{{- $host := include "miroir.peerHost" (dict "root" $root "pod" .pod) -}}
peer:
  id: {{ int .id }}
  name: {{ .pod | quote }}
  grpc_bind: "0.0.0.0:7800"
  grpc_advertise: {{ printf "%s:7800" $host | quote }}
  http_advertise: {{ printf "%s:7700" $host | quote }}
  data_dir: /var/lib/miroir
{{- if .voter }}
  bootstrap: auto
  initial_peers:
{{- range $ordinal := until (int $root.Values.voters.replicas) }}
{{- $pod := include "miroir.voterPod" (dict "root" $root "ordinal" $ordinal) }}
{{- $peerHost := include "miroir.peerHost" (dict "root" $root "pod" $pod) }}
    - id: {{ add $ordinal 1 }}
      name: {{ $pod | quote }}
      grpc_address: {{ printf "%s:7800" $peerHost | quote }}
      http_address: {{ printf "%s:7700" $peerHost | quote }}
{{- end }}
{{- else }}
  # A learner: waits for the leader; an operator adds it with `miroir-ctl peers add`.
  bootstrap: manual
{{- end }}
{{- with $root.Values.raft }}
  raft:
{{- toYaml . | nindent 4 }}
{{- end }}
{{- end }}

{{/* The container of a peer pod; call with (dict "root" $ "role" "voter"|"learner" "spec" <voters|learners values>). */}}
{{- define "miroir.peerContainer" -}}
{{- $root := .root -}}
- name: miroir
  image: {{ include "miroir.image" $root | quote }}
  imagePullPolicy: {{ $root.Values.image.pullPolicy }}
  # Each pod reads the configuration rendered for it (its peer id follows its ordinal).
  args: ["run", "--config", "/etc/miroir/$(POD_NAME).yaml"]
  env:
    # Not MIROIR_*: every MIROIR_* variable is read as a configuration override.
    - name: POD_NAME
      valueFrom:
        fieldRef:
          fieldPath: metadata.name
    - name: MIROIR_MASTER_KEY
      valueFrom:
        secretKeyRef:
          name: {{ $root.Values.auth.existingSecret | quote }}
          key: {{ $root.Values.auth.masterKeyKey | quote }}
    - name: MIROIR_NODE_MASTER_KEY
      valueFrom:
        secretKeyRef:
          name: {{ $root.Values.auth.existingSecret | quote }}
          key: {{ $root.Values.auth.nodeMasterKeyKey | quote }}
    - name: MIROIR_ADMIN_API_KEY
      valueFrom:
        secretKeyRef:
          name: {{ $root.Values.auth.existingSecret | quote }}
          key: {{ $root.Values.auth.adminApiKeyKey | quote }}
    - name: RUST_LOG
      value: {{ $root.Values.logLevel | quote }}
  ports:
    - {name: http, containerPort: 7700, protocol: TCP}
    - {name: raft, containerPort: 7800, protocol: TCP}
    - {name: admin, containerPort: 7900, protocol: TCP}
    - {name: metrics, containerPort: 9090, protocol: TCP}
  # Opening RocksDB and replaying the log may take a while: liveness starts after this passes.
  startupProbe:
    httpGet: {path: /health, port: http}
    periodSeconds: 5
    failureThreshold: 60
  livenessProbe:
    httpGet: {path: /health, port: http}
    periodSeconds: 10
    timeoutSeconds: 3
    failureThreshold: 6
  # Ready = a leader is known, the metadata is caught up and every shard has a reachable owner.
  readinessProbe:
    httpGet: {path: /_miroir/ready, port: http}
    periodSeconds: 5
    timeoutSeconds: 3
    failureThreshold: 3
  securityContext:
    allowPrivilegeEscalation: false
    readOnlyRootFilesystem: true
    runAsNonRoot: true
    runAsUser: 65532
    runAsGroup: 65532
    capabilities:
      drop: ["ALL"]
  volumeMounts:
    - {name: config, mountPath: /etc/miroir, readOnly: true}
    - {name: data, mountPath: /var/lib/miroir}
{{- with .spec.resources }}
  resources:
{{- toYaml . | nindent 4 }}
{{- end }}
{{- end }}

{{/* Pod-level settings shared by voters and learners; call with (dict "root" $ "role" "voter"|"learner" "spec" <values>). */}}
{{- define "miroir.peerPodSpec" -}}
{{- $root := .root -}}
serviceAccountName: {{ include "miroir.serviceAccountName" $root }}
automountServiceAccountToken: false
# Service links would put MIROIR_*_SERVICE_HOST variables in the environment, which the peer
# would read as (unknown) configuration overrides.
enableServiceLinks: false
securityContext:
  runAsNonRoot: true
  runAsUser: 65532
  runAsGroup: 65532
  fsGroup: 65532
  seccompProfile:
    type: RuntimeDefault
{{- with $root.Values.imagePullSecrets }}
imagePullSecrets:
{{- toYaml . | nindent 2 }}
{{- end }}
{{- with .spec.nodeSelector }}
nodeSelector:
{{- toYaml . | nindent 2 }}
{{- end }}
{{- with .spec.tolerations }}
tolerations:
{{- toYaml . | nindent 2 }}
{{- end }}
{{- with .spec.affinity }}
affinity:
{{- toYaml . | nindent 2 }}
{{- end }}
volumes:
  - name: config
    configMap:
      name: {{ include "miroir.fullname" $root }}-{{ .role }}s-config
{{- end }}

{{/*
Pod annotations of a peer; call with (dict "root" $ "role" "voter"|"learner" "spec" <values>).
The checksum of the role's own ConfigMap rolls its pods when their configuration changes (and
only then: adding learners does not restart the voters).
*/}}
{{- define "miroir.peerPodAnnotations" -}}
checksum/config: {{ include (printf "%s/configmap-%ss.yaml" .root.Template.BasePath .role) .root | sha256sum }}
{{- if .root.Values.metrics.podAnnotations }}
prometheus.io/scrape: "true"
prometheus.io/port: "9090"
prometheus.io/path: /metrics
{{- end }}
{{- with .spec.podAnnotations }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* The PVC template of a peer StatefulSet; call with <persistence values>. */}}
{{- define "miroir.dataClaim" -}}
- metadata:
    name: data
  spec:
    accessModes: ["ReadWriteOnce"]
{{- with .storageClass }}
    storageClassName: {{ . | quote }}
{{- end }}
    resources:
      requests:
        storage: {{ .size | quote }}
{{- end }}
