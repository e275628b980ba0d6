// csp_hashes.test.mjs - the build's scanner of a page's inline code (scripts/csp-hashes.mjs):
// what it hashes is what a browser hashes (a script's raw text, a style attribute's value with
// its character references decoded) and what it leaves out (scripts with src, empty ones).
// The browser tier (tests/browser/csp.test.mjs) checks the result against Chromium itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { pageHashes } from '../../scripts/csp-hashes.mjs';

const h = (text) => 'sha256-' + createHash('sha256').update(text, 'utf8').digest('base64');

test('inline scripts are hashed as written; scripts with src and empty ones are not', () => {
    const html = '<html><head><script>a()</script><script src="/x.js" async=""></script>'
        + '<SCRIPT id="_R_">self.__next_f.push([1,"<\\/script>é"])</SCRIPT><script></script>'
        + '<script type="application/json">{"a":1}</script></head></html>';
    const got = pageHashes(html);
    assert.deepEqual(got.script, [h('a()'), h('self.__next_f.push([1,"<\\/script>é"])'), h('{"a":1}')].sort());
    assert.deepEqual(got.style, []);
    assert.deepEqual(got.style_attr, []);
});

test('style elements and style attributes, the latter with character references decoded', () => {
    const html = '<style>body{margin:0}</style><div style="font-family:&quot;Segoe UI&quot;,Arial;x:&#39;a&#x27;">'
        + "<span style='color:red'>x</span></div><script>var s = '<b style=\"no\">'</script>";
    const got = pageHashes(html);
    assert.deepEqual(got.style, [h('body{margin:0}')]);
    assert.deepEqual(got.style_attr, [h('font-family:"Segoe UI",Arial;x:\'a\''), h('color:red')].sort(),
        'a style="" inside a script is text, not an attribute');
    assert.deepEqual(got.script, [h('var s = \'<b style="no">\'')]);
});

test('the same code twice is listed once', () => {
    const got = pageHashes('<script>a()</script><p>x</p><script>a()</script>');
    assert.deepEqual(got.script, [h('a()')]);
});
