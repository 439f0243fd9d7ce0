// The agent as a container: examples/k8s (a kustomize-ready DaemonSet for k3s / MicroK8s nodes)
// validated against the Kubernetes OpenAPI schema (kubernetes-models, generated from it: no
// network at test time), its agent flags checked against the CLI, and the Dockerfile's promises.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { describe, expect, test } from 'vitest';
import { DaemonSet } from 'kubernetes-models/apps/v1';
import { ConfigMap, Namespace } from 'kubernetes-models/v1';
import { ROOT, edgeml } from './helpers.js';

const K8S = join(ROOT, 'examples/k8s');

function docs(file: string): Array<Record<string, unknown>> {
  return parseAllDocuments(readFileSync(join(K8S, file), 'utf8')).map((d) => d.toJS() as Record<string, unknown>);
}

function validate(doc: Record<string, unknown>): void {
  const kinds: Record<string, new (d: never) => { validate(): void }> = { DaemonSet, ConfigMap, Namespace };
  const Model = kinds[String(doc.kind)];
  if (!Model) throw new Error(`no schema here for kind ${String(doc.kind)}`);
  new Model(doc as never).validate();
}

interface Kustomization {
  resources: string[];
  namespace: string;
  configMapGenerator: Array<{ name: string; files: string[] }>;
  images: Array<{ name: string; newName: string; newTag: string }>;
}

describe('examples/k8s', () => {
  const kustomization = docs('kustomization.yaml')[0] as unknown as Kustomization;

  test('every resource of the kustomization is there and valid against the Kubernetes schema', () => {
    expect(kustomization.namespace).toBe('edgeml');
    for (const file of kustomization.resources) {
      expect(existsSync(join(K8S, file)), file).toBe(true);
      for (const doc of docs(file)) validate(doc);
    }
    for (const g of kustomization.configMapGenerator) for (const f of g.files) expect(existsSync(join(K8S, f)), f).toBe(true);
  });

  test('the validator is not a formality: a broken DaemonSet is refused', () => {
    const ds = docs('daemonset.yaml')[0] as { spec: { template: { spec: { containers: Array<Record<string, unknown>> } } } };
    ds.spec.template.spec.containers[0].resources = { requests: { memory: ['160Mi'] } };
    expect(() => validate(ds as unknown as Record<string, unknown>)).toThrow();
    const noSelector = docs('daemonset.yaml')[0] as { spec: Record<string, unknown> };
    delete noSelector.spec.selector;
    expect(() => validate(noSelector as unknown as Record<string, unknown>)).toThrow();
  });

  test('the DaemonSet runs the agent unprivileged, state on the node, root.json from the ConfigMap, certificates from a Secret', () => {
    const ds = docs('daemonset.yaml')[0] as {
      spec: { template: { spec: {
        securityContext: { runAsNonRoot: boolean; runAsUser: number };
        containers: Array<{ image: string; args: string[]; resources: { requests: Record<string, string>; limits: Record<string, string> }; securityContext: Record<string, unknown>; volumeMounts: Array<{ name: string; mountPath: string }> }>;
        volumes: Array<{ name: string; hostPath?: { path: string }; configMap?: { name: string }; secret?: { secretName: string } }>;
      } } };
    };
    const pod = ds.spec.template.spec;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
    const agent = pod.containers[0];
    expect(agent.image).toBe(kustomization.images[0].name);
    expect(agent.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true });
    expect(agent.resources.requests).toMatchObject({ cpu: expect.any(String), memory: expect.any(String) });
    const vol = (name: string) => pod.volumes.find((v) => v.name === name)!;
    const mount = (name: string) => agent.volumeMounts.find((m) => m.name === name)!.mountPath;
    expect(vol('state').hostPath?.path).toBe('/var/lib/edgeml');
    expect(vol('root').configMap?.name).toBe(kustomization.configMapGenerator[0].name);
    expect(vol('certs').secret?.secretName).toBe('edgeml-device-certs');
    const arg = (flag: string) => agent.args.find((a) => a.startsWith(`${flag}=`))?.slice(flag.length + 1);
    expect(arg('--dir')).toBe(mount('state'));
    expect(arg('--root')).toBe(`${mount('root')}/${kustomization.configMapGenerator[0].files[0]}`);
    expect(arg('--cert')?.startsWith(`${mount('certs')}/`)).toBe(true);
    expect(arg('--device-id')).toBe('$(NODE_NAME)');
  });

  test('every agent flag the DaemonSet passes is one the agent has', () => {
    const help = edgeml(['agent', '--help']);
    expect(help.status).toBe(0);
    const ds = docs('daemonset.yaml')[0] as { spec: { template: { spec: { containers: Array<{ args: string[] }> } } } };
    for (const a of ds.spec.template.spec.containers[0].args) {
      const flag = a.split('=')[0];
      expect(help.stdout, `edgeml agent has no ${flag}`).toMatch(new RegExp(`(^|\\s)${flag}[ ,<]`, 'm'));
    }
  });
});

describe('Dockerfile', () => {
  const text = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
  const lines = text.split('\n').filter((l) => l.trim() && !l.trim().startsWith('#'));

  test('a multi-arch Node base, the runtime installed once without its download script, a non-root user, the agent as entry point', () => {
    const from = lines.filter((l) => l.startsWith('FROM '));
    expect(from).toHaveLength(1);
    // The official node images are published for linux/amd64 and linux/arm64.
    expect(from[0]).toMatch(/^FROM node:\d+-bookworm-slim$/);
    expect(lines.filter((l) => l.includes('npm ci'))).toHaveLength(1);
    expect(text).toContain('ONNXRUNTIME_NODE_INSTALL=skip');
    expect(lines.filter((l) => l.startsWith('USER ')).pop()).toBe('USER node');
    expect(lines.find((l) => l.startsWith('ENTRYPOINT '))).toBe('ENTRYPOINT ["node", "/opt/edgeml/dist/cli/index.js", "agent"]');
    expect(lines.some((l) => /^ADD\s+https?:/.test(l))).toBe(false);
  });

  test('everything it copies is in the repository and let through by .dockerignore', () => {
    const ignore = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
    expect(ignore[0]).toBe('*');
    for (const l of lines.filter((x) => x.startsWith('COPY '))) {
      const sources = l.split(/\s+/).slice(1, -1);
      for (const s of sources) {
        expect(existsSync(join(ROOT, s)), s).toBe(true);
        expect(ignore, s).toContain(`!${s}`);
      }
    }
    expect(existsSync(join(ROOT, 'dist/cli/index.js'))).toBe(true);
  });
});
