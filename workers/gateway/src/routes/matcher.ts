/** Which methods a path answers to, for 405 + Allow. Paths use OpenAPI `{param}` syntax. */
export class MethodIndex {
  private readonly entries: { re: RegExp; method: string }[] = [];

  add(method: string, path: string) {
    const re = new RegExp(
      `^${path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^}]+\\?\}|\{[^}]+\}/g, '[^/]+')}/?$`,
    );
    this.entries.push({ re, method: method.toUpperCase() });
  }

  allowed(path: string): string[] {
    const methods = new Set<string>();
    for (const e of this.entries) if (e.re.test(path)) methods.add(e.method);
    if (methods.has('GET')) methods.add('HEAD');
    if (methods.size) methods.add('OPTIONS');
    return [...methods].sort();
  }
}
