// Checks Kubernetes manifests offline against the Kubernetes 1.33 API, the way the API server and
// `kubectl --validate=strict` would, without a cluster:
//   node validate-k8s.mjs PACKAGES_DIR FILE_OR_DIR...      (tools/validate-deploy.sh installs PACKAGES_DIR)
// Both sources are generated from Kubernetes' own OpenAPI document:
//   - kubernetes-models: its JSON schemas (types, required fields, enumerations, formats), compiled with ajv;
//   - @kubernetes/client-node: each type's list of fields, so that a field the API does not define fails
//     (the server would drop it silently, so a misspelt probe or limit would simply not exist).
// Then a few references the schemas cannot see (selectors, named ports, volumes, the ConfigMap).
import { createRequire } from "node:module";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const [packagesDir, ...targets] = process.argv.slice(2);
if (!packagesDir || targets.length === 0) {
  console.error("usage: node validate-k8s.mjs PACKAGES_DIR FILE_OR_DIR...");
  process.exit(2);
}
const require = createRequire(join(resolve(packagesDir), "package.json"));
const YAML = require("yaml");
const fieldListsDir = join(dirname(require.resolve("@kubernetes/client-node/package.json")), "dist", "gen", "models");

const problems = [];
const objects = [];
let unreadable = false; // a document that did not parse: its references would only add noise
const fieldLists = new Map(); // type name -> Map(field -> type), or null where client-node has none

for (const file of targets.flatMap(manifestFiles)) {
  const where = relative(process.cwd(), file);
  // YAML 1.1, as Kubernetes reads it: 0440 is octal, yes/no are booleans.
  const documents = YAML.parseAllDocuments(readFileSync(file, "utf8"), { version: "1.1", uniqueKeys: true });
  for (const document of documents) {
    for (const error of [...document.errors, ...document.warnings]) problems.push(`${where}: ${error.message}`);
    if (document.errors.length > 0) {
      unreadable = true;
      continue;
    }
    const object = document.toJS();
    if (object === null || object === undefined) continue;
    const name = `${object.kind ?? "?"}/${object.metadata?.name ?? "?"}`;
    const report = (message) => problems.push(`${where}: ${name}: ${message}`);
    if (typeof object.apiVersion !== "string" || typeof object.kind !== "string") {
      report("apiVersion and kind are required");
      continue;
    }
    objects.push({ object, report });
    checkSchema(object, report);
    await checkFields(object, report);
  }
}

if (!unreadable) checkReferences(objects);

if (problems.length > 0) {
  for (const problem of problems) console.error(`validate-k8s: ${problem}`);
  console.error(`validate-k8s: ${problems.length} problem(s) in the Kubernetes manifests`);
  process.exit(1);
}
console.log(`validate-k8s: ${objects.length} objects valid against the Kubernetes 1.33 schemas (unknown fields refused)`);

function manifestFiles(target) {
  if (!statSync(target).isDirectory()) return [resolve(target)];
  return readdirSync(target)
    .filter((entry) => /\.ya?ml$/.test(entry))
    .sort()
    .map((entry) => resolve(target, entry));
}

// kubernetes-models lays its classes out by apiVersion: apps/v1 -> kubernetes-models/apps/v1/Deployment.
function checkSchema(object, report) {
  let model;
  try {
    model = require(`kubernetes-models/${object.apiVersion}/${object.kind}`)[object.kind];
  } catch {
    model = undefined;
  }
  if (typeof model !== "function") {
    report(`no Kubernetes 1.33 schema for ${object.apiVersion} ${object.kind}`);
    return;
  }
  try {
    new model(structuredClone(object)).validate();
  } catch (error) {
    if (!Array.isArray(error.errors)) throw error;
    for (const e of error.errors) {
      const allowed = e.params?.allowedValues ? ` (${e.params.allowedValues.join(", ")})` : "";
      report(`${fieldPath(e.instancePath) || "(top)"}: ${e.message}${allowed}`);
    }
  }
}

// "/spec/template/spec/containers/0/name" -> "spec.template.spec.containers[0].name", as the field check says it.
function fieldPath(pointer) {
  return pointer.split("/").slice(1)
    .map((part) => part.replaceAll("~1", "/").replaceAll("~0", "~"))
    .reduce((path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : path ? `${path}.${part}` : part), "");
}

// client-node names a type by version and kind (V1Deployment), or by group too where kinds clash (EventsV1Event).
async function checkFields(object, report) {
  const [group, version] = object.apiVersion.includes("/") ? object.apiVersion.split("/") : ["core", object.apiVersion];
  const versionName = version[0].toUpperCase() + version.slice(1);
  const groupName = group.split(".")[0].replace(/^./, (c) => c.toUpperCase());
  for (const typeName of [`${versionName}${object.kind}`, `${groupName}${versionName}${object.kind}`]) {
    if (await fieldList(typeName)) {
      await checkValue(object, typeName, "", report);
      return;
    }
  }
  report(`no field list for ${object.apiVersion} ${object.kind}`);
}

async function fieldList(typeName) {
  if (!fieldLists.has(typeName)) {
    let fields = null;
    const file = join(fieldListsDir, `${typeName}.js`);
    if (/^[A-Za-z0-9]+$/.test(typeName) && statSync(file, { throwIfNoEntry: false })) {
      const type = (await import(pathToFileURL(file).href))[typeName];
      const attributes = type?.getAttributeTypeMap?.() ?? type?.attributeTypeMap;
      if (Array.isArray(attributes)) fields = new Map(attributes.map((a) => [a.baseName, a.type]));
    }
    fieldLists.set(typeName, fields);
  }
  return fieldLists.get(typeName);
}

// Only the fields: the values' types are the schemas' part (a quantity, say, may be a number or a string).
async function checkValue(value, type, path, report) {
  const array = /^Array<(.+)>$/.exec(type);
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (array) {
    if (Array.isArray(value)) for (const [i, item] of value.entries()) await checkValue(item, array[1], `${path}[${i}]`, report);
    return;
  }
  if (map) {
    if (isObject(value)) for (const [key, item] of Object.entries(value)) await checkValue(item, map[1], `${path}.${key}`, report);
    return;
  }
  if (!/^[A-Z]/.test(type) || type === "IntOrString" || type === "Date" || !isObject(value)) return;
  const fields = await fieldList(type);
  if (!fields) {
    report(`${path || "(top)"}: no field list for the type ${type}`);
    return;
  }
  for (const [key, item] of Object.entries(value)) {
    const fieldPath = path ? `${path}.${key}` : key;
    if (!fields.has(key)) report(`${fieldPath}: unknown field (${type} has no "${key}")`);
    else await checkValue(item, fields.get(key), fieldPath, report);
  }
}

function isObject(value) {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

// What the API server or the kubelet would refuse later, or what would silently select nothing.
function checkReferences(all) {
  const configMaps = new Map(all.filter((o) => o.object.kind === "ConfigMap").map((o) => [o.object.metadata.name, o.object]));
  const workloads = all.filter((o) => o.object.spec?.template?.spec);
  const selects = (selector, labels) => Object.entries(selector ?? {}).every(([k, v]) => labels?.[k] === v);

  for (const { object, report } of workloads) {
    const pod = object.spec.template;
    const labels = pod.metadata?.labels ?? {};
    if (!selects(object.spec.selector?.matchLabels, labels)) report("spec.selector does not match the pod template's labels");
    const volumes = new Set((pod.spec.volumes ?? []).map((v) => v.name));
    for (const volume of pod.spec.volumes ?? []) {
      const source = volume.secret ?? volume.configMap;
      for (const mode of [source?.defaultMode, ...(source?.items ?? []).map((i) => i.mode)]) {
        if (mode !== undefined && (mode < 0 || mode > 0o777)) report(`volume ${volume.name}: file mode ${mode} is not between 0 and 0777`);
      }
      if (volume.configMap && !volume.configMap.optional && !configMaps.has(volume.configMap.name)) {
        report(`volume ${volume.name}: no ConfigMap ${volume.configMap.name} among these manifests`);
      }
    }
    for (const container of [...(pod.spec.initContainers ?? []), ...(pod.spec.containers ?? [])]) {
      const c = `container ${container.name}`;
      const ports = new Set((container.ports ?? []).map((p) => p.name).filter(Boolean));
      for (const mount of container.volumeMounts ?? []) {
        if (!volumes.has(mount.name)) report(`${c}: volumeMount ${mount.name} names no volume`);
      }
      for (const probe of ["startupProbe", "readinessProbe", "livenessProbe"]) {
        const port = container[probe]?.httpGet?.port ?? container[probe]?.tcpSocket?.port;
        if (typeof port === "string" && !ports.has(port)) report(`${c}: ${probe} port ${port} is no named port of the container`);
      }
      for (const from of container.envFrom ?? []) {
        const name = from.configMapRef?.name;
        if (name && !from.configMapRef.optional && !configMaps.has(name)) report(`${c}: envFrom names no ConfigMap ${name} among these manifests`);
      }
      const names = new Set();
      for (const variable of container.env ?? []) {
        if (names.has(variable.name)) report(`${c}: env ${variable.name} is set twice`);
        names.add(variable.name);
        const ref = variable.valueFrom?.configMapKeyRef;
        if (ref && !ref.optional && configMaps.get(ref.name)?.data?.[ref.key] === undefined) {
          report(`${c}: env ${variable.name} names ${ref.name}/${ref.key}, which these manifests do not define`);
        }
      }
      for (const from of container.envFrom ?? []) {
        for (const key of Object.keys(configMaps.get(from.configMapRef?.name)?.data ?? {})) {
          if (names.has(key)) report(`${c}: ${key} is both in env and in ConfigMap ${from.configMapRef.name} (env wins)`);
        }
      }
    }
  }

  const pods = workloads.map(({ object }) => ({
    labels: object.spec.template.metadata?.labels ?? {},
    ports: new Set(object.spec.template.spec.containers.flatMap((c) => (c.ports ?? []).map((p) => p.name))),
  }));
  for (const { object, report } of all) {
    const selector = object.kind === "Service" ? object.spec?.selector
      : object.kind === "PodDisruptionBudget" ? object.spec?.selector?.matchLabels
        : object.kind === "NetworkPolicy" ? object.spec?.podSelector?.matchLabels
          : undefined;
    if (selector === undefined) continue;
    const selected = pods.filter((p) => selects(selector, p.labels));
    if (selected.length === 0) report("its selector matches no pod template in these manifests");
    const namedPorts = object.kind === "Service" ? (object.spec.ports ?? []).map((p) => p.targetPort)
      : object.kind === "NetworkPolicy" ? (object.spec.ingress ?? []).flatMap((r) => (r.ports ?? []).map((p) => p.port))
        : [];
    for (const port of namedPorts.filter((p) => typeof p === "string")) {
      if (!selected.some((p) => p.ports.has(port))) report(`port ${port} is no named container port of the pods it selects`);
    }
  }
}
