#!/usr/bin/env node
// csp-hashes.mjs - the Content-Security-Policy hashes of the web UI's inline code, computed at
// build time (scripts/build-web.sh runs it on web/out). For every HTML page it lists the
// sha256 of each inline <script> (Next's bootstrap, the RSC payload, the theme script), of
// each <style> element and of each style="" attribute, and writes them to
// OUT/.csp-hashes.json, which the server reads at start to build each page's policy
// (docs/decisions/0015-csp-hashes.md). A dotfile: the server never serves it.
//
// Usage: node scripts/csp-hashes.mjs [web/out]
//
// The pages are Next's own output, so a scanner for raw-text elements is enough: a script's
// text ends at the first "</script" (HTML's own rule), and a browser hashes exactly those
// bytes. A style attribute's value is hashed after decoding its character references, as
// the browser does. The browser tier checks that no page reports a CSP violation, which is
// what would catch a case this scanner missed.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const out = path.resolve(process.argv[2] || 'web/out');

const sha256 = (text) => 'sha256-' + createHash('sha256').update(text, 'utf8').digest('base64');

const ENTITIES = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };
function decodeEntities(s) {
    return s.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (m, e) => {
        if (e[0] === '#') {
            const cp = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
            return String.fromCodePoint(cp);
        }
        const v = ENTITIES[e.toLowerCase()];
        if (v === undefined) throw new Error(`csp-hashes: unknown character reference ${m}`);
        return v;
    });
}

/** The hashes of one page's inline scripts, <style> elements and style attributes. */
export function pageHashes(html) {
    const script = new Set();
    const style = new Set();
    const styleAttr = new Set();
    const raw = /<(script|style)\b([^>]*)>([\s\S]*?)<\/\1\s*>/gi;
    let outside = '';
    let last = 0;
    for (const m of html.matchAll(raw)) {
        outside += html.slice(last, m.index) + `<${m[1]}${m[2]}>`;
        last = m.index + m[0].length;
        const isScript = m[1].toLowerCase() === 'script';
        if (isScript && /\bsrc\s*=/i.test(m[2])) continue;
        if (isScript && m[3] === '') continue;
        (isScript ? script : style).add(sha256(m[3]));
    }
    outside += html.slice(last);
    // attributes are looked for outside the raw-text elements only, in tags
    for (const tag of outside.matchAll(/<[a-z][^\s/>]*(\s[^>]*)?>/gi)) {
        for (const a of (tag[1] || '').matchAll(/\sstyle\s*=\s*(?:"([^"]*)"|'([^']*)')/gi)) {
            styleAttr.add(sha256(decodeEntities(a[1] ?? a[2])));
        }
    }
    return { script: [...script].sort(), style: [...style].sort(), style_attr: [...styleAttr].sort() };
}

function htmlFiles(dir, rel = '') {
    const found = [];
    for (const e of readdirSync(dir, { withFileTypes: true })) {
        if (e.name.startsWith('.')) continue; // the server skips dotfiles too
        const p = path.join(dir, e.name);
        const url = `${rel}/${e.name}`;
        if (e.isDirectory()) found.push(...htmlFiles(p, url));
        else if (e.isFile() && /\.html?$/i.test(e.name)) found.push({ path: p, url });
    }
    return found;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) { // run, not imported (tests/web)
    const pages = {};
    for (const f of htmlFiles(out).sort((a, b) => (a.url < b.url ? -1 : 1))) {
        pages[f.url] = pageHashes(readFileSync(f.path, 'utf8'));
    }
    const n = Object.values(pages).reduce((s, p) => s + p.script.length, 0);
    writeFileSync(path.join(out, '.csp-hashes.json'), JSON.stringify({ version: 1, pages }, null, 1) + '\n');
    console.error(`csp-hashes: ${Object.keys(pages).length} pages, ${n} inline script hashes`);
}
