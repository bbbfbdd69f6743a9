#!/usr/bin/env python3
"""Repository tooling, not part of the `fastseg` package: README.md and the docs site built from the notebooks with
nbconvert (so both can be rebuilt where Quarto cannot be installed), and a headless-Chromium check that reads the site
as a visitor does. Its tests and the story behind it are in nbs/90_docs.ipynb.

    python tools/build_docs.py            # README.md and _site/ (the library notebooks are run first, for their outputs)
    python tools/build_docs.py --no-run   # the same without running them (a minute; library pages without outputs)
    python tools/build_docs.py --check    # then open every page in headless Chromium at two widths, and search it
"""
from __future__ import annotations
import argparse, concurrent.futures, functools, html, importlib, inspect, json, os, re, shutil, subprocess, sys, threading, urllib.parse
from pathlib import Path

class DocsError(Exception):
    "A problem building or checking the docs, with what to do about it"


_BANNER = '<!-- Generated from nbs/index.ipynb by `python tools/build_docs.py`: edit the notebook, not this file. -->\n\n'

def _directives(src): return [l for l in src.splitlines() if l.startswith('#|')]

def readme_markdown(nb_path='nbs/index.ipynb')->str:
    "README Markdown rendered from the notebook at `nb_path` with nbconvert (no Quarto)"
    try:
        import nbformat
        from nbconvert import MarkdownExporter
    except ImportError:
        raise DocsError("Building the README needs nbconvert: pip install -e '.[dev]'") from None
    nb = nbformat.read(nb_path, as_version=4)
    cells = []
    for c in nb.cells:
        dirs = _directives(c.source)
        if any(d.replace(' ', '') in ('#|hide', '#|include:false') for d in dirs): continue
        if c.cell_type == 'code': c.source = '\n'.join(l for l in c.source.splitlines() if not l.startswith('#|')).strip()
        cells.append(c)
    nb.cells = cells
    body, _ = MarkdownExporter().from_notebook_node(nb)
    return _BANNER + body.strip() + '\n'

def write_readme(nb_path='nbs/index.ipynb', # the docs home notebook
                 dest='README.md')->Path: # where to write
    "Write README.md from the index notebook"
    Path(dest).write_text(readme_markdown(nb_path))
    return Path(dest)

_CSS = """body{margin:0;font:15px/1.55 system-ui,sans-serif;color:#1f2328;display:flex}
nav{width:250px;min-height:100vh;background:#f6f8fa;border-right:1px solid #d0d7de;padding:1em;box-sizing:border-box;flex:none}
nav h2{font-size:1em;margin:1.2em 0 .3em;color:#57606a;text-transform:uppercase;letter-spacing:.04em}
nav a{display:block;color:#0969da;text-decoration:none;padding:.1em 0;font-size:.93em}nav a.current{font-weight:700;color:#1f2328}
nav summary{cursor:pointer;color:#57606a;margin-top:.8em}
#search{width:100%;box-sizing:border-box;margin:.8em 0 .3em;padding:.35em .5em;border:1px solid #d0d7de;border-radius:6px;font:inherit}
#results a{border-bottom:1px solid #eaeef2;padding:.25em 0}
main{max-width:980px;padding:1.5em 2.5em;box-sizing:border-box;min-width:0;flex:1;overflow-wrap:anywhere}
pre{background:#f6f8fa;padding:.7em;overflow-x:auto;border-radius:6px;font-size:13px;overflow-wrap:normal}
code{font-size:.9em}table{border-collapse:collapse;margin:.6em 0;display:block;overflow-x:auto;max-width:100%}td,th{border:1px solid #d0d7de;padding:.25em .6em}
img{max-width:100%;height:auto}blockquote{color:#57606a;border-left:4px solid #d0d7de;margin:0;padding:0 1em}
.prompt{display:none}.api{border-top:2px solid #d0d7de;margin-top:1.5em}.api h3 code{font-size:1em}
.api a.src{font-size:.75em;font-weight:400;margin-left:.6em}.api table.params td:first-child{white-space:nowrap}
.pager{display:flex;justify-content:space-between;gap:1em;margin-top:3em}
.output_area pre{background:#fff;border:1px solid #eee}a.anchor-link{display:none}
body.source{display:block}body.source main{max-width:none}.linenos a{color:#8c959f;text-decoration:none}
@media (max-width:800px){body{display:block}nav{width:auto;min-height:0;border-right:none;border-bottom:1px solid #d0d7de}
main{padding:1em}.pager{flex-direction:column}}
"""

_DIRECTIVE = re.compile(r'^\s*#\|\s*(.*)$')

def _dirs(src): return [m.group(1).strip() for l in src.splitlines() if (m := _DIRECTIVE.match(l))]

def _strip_dirs(src): # `#| slow` and `#| cuda` stay visible: they tell a reader which cells need the real data or a GPU
    return '\n'.join(l for l in src.splitlines() if not (m := _DIRECTIVE.match(l)) or m.group(1) in ('slow', 'cuda')).strip()

def _title(nb, default):
    "Title and one-line summary from a notebook's first markdown cell"
    md = next((c.source for c in nb.cells if c.cell_type == 'markdown'), '')
    t = re.search(r'^#\s+(.+)$', md, re.M); d = re.search(r'^>\s*(.+)$', md, re.M)
    return (t.group(1).replace('`', '').strip() if t else default), (d.group(1).strip() if d else '')

def _anno(a)->str:
    "An annotation as the source writes it (under `from __future__ import annotations` they are strings already)"
    return a if isinstance(a, str) else a.__name__ if isinstance(a, type) else inspect.formatannotation(a)

def _param_str(p)->str:
    s = {p.VAR_POSITIONAL: '*', p.VAR_KEYWORD: '**'}.get(p.kind, '') + p.name
    if not _empty(p.annotation): s += f': {_anno(p.annotation)}'
    return s + ('' if _empty(p.default) else f' = {p.default!r}')

def _signature(obj, name:str)->str:
    "`name(params) -> return` as the code writes it, one parameter a line when long"
    try: sig = inspect.signature(obj)
    except (TypeError, ValueError): return name
    ps, star = [], False
    for p in sig.parameters.values():
        if p.name in ('self', 'cls'): continue
        if p.kind == p.KEYWORD_ONLY and not star: ps.append('*')
        star |= p.kind in (p.KEYWORD_ONLY, p.VAR_POSITIONAL)
        ps.append(_param_str(p))
    ret = '' if _empty(sig.return_annotation) else f" -> {_anno(sig.return_annotation)}"
    one = f"{name}({', '.join(ps)}){ret}"
    return one if len(one) <= 100 else f"{name}(\n" + ''.join(f"    {p},\n" for p in ps) + f"){ret}"

def _empty(v): return v is inspect.Parameter.empty or v is inspect.Signature.empty

def api_params(obj)->list:
    "(name, type, default, comment) per parameter from the docments; a comment after `)->T:` documents the last parameter when it has none"
    from fastcore.docments import docments
    try: d = docments(obj, full=True)
    except Exception: return []
    names = [k for k in d if k not in ('self', 'cls', 'return')]
    ret = d.get('return')
    if names and ret is not None and ret['docment'] and not d[names[-1]]['docment']:
        d[names[-1]]['docment'], ret['docment'] = ret['docment'], None # this codebase's style: the last parameter shares the `)->T:` line
    try: sig = inspect.signature(obj)
    except (TypeError, ValueError): sig = None
    anno = lambda k: sig.parameters[k].annotation if sig and k in sig.parameters else d[k]['anno'] # as written, not guessed from the default
    fmt = lambda a: '' if _empty(a) else _anno(a)
    rows = [(k, fmt(anno(k)), '' if _empty(d[k]['default']) else repr(d[k]['default']), d[k]['docment'] or '') for k in names]
    if ret is not None and ret['docment']: rows.append(('returns', fmt(sig.return_annotation if sig else ret['anno']), '', ret['docment']))
    return rows

def _md_inline(s:str)->str:
    "A docment or docstring as HTML: escaped, with `code` spans"
    return re.sub(r'`([^`]+)`', r'<code>\1</code>', html.escape(s, quote=False))

def source_lines(obj):
    "(file, first line, last line) of `obj`'s source, or None"
    obj = inspect.unwrap(getattr(obj, '__func__', None) or getattr(obj, 'fget', None) or obj)
    try:
        lines, start = inspect.getsourcelines(obj)
        return Path(inspect.getsourcefile(obj)), start, start + len(lines) - 1
    except (TypeError, OSError): return None

def _api_entry(obj, name:str, source_href)->str:
    "One API entry: heading with a source link, signature, docstring, parameter table"
    src = source_lines(obj)
    where = source_href(*src) if src and source_href else None
    link = f' <a class="src" href="{html.escape(where)}">source</a>' if where else ''
    target = obj.fget if isinstance(obj, property) else getattr(obj, '__func__', obj) # a property's getter; a classmethod's function
    sig = '' if isinstance(obj, property) else f'<pre class="sig"><code>{html.escape(_signature(target, name.split(".")[-1]))}</code></pre>'
    doc = inspect.getdoc(target) or ''
    rows = [] if isinstance(obj, property) else api_params(target)
    table = ('<table class="params"><thead><tr><th>parameter</th><th>type</th><th>default</th><th></th></tr></thead><tbody>'
             + ''.join(f'<tr><td><code>{html.escape(n)}</code></td><td><code>{html.escape(t)}</code></td><td><code>{html.escape(dv)}</code></td>'
                       f'<td>{_md_inline(c)}</td></tr>' for n, t, dv, c in rows) + '</tbody></table>') if any(r[3] for r in rows) else '' # as nbdev: documented parameters only
    kind = 'property ' if isinstance(obj, property) else ''
    return (f'<div class="api"><h3 id="{html.escape(name)}">{kind}<code>{html.escape(name)}</code>{link}</h3>{sig}'
            f'<p class="doc">{_md_inline(doc)}</p>{table}</div>')

def _own_methods(cls)->list:
    "The public methods and properties a class's own body defines, in source order"
    out = []
    for k, v in vars(cls).items():
        if k.startswith('_'): continue
        f = getattr(v, '__func__', None) or getattr(v, 'fget', None) or v
        if callable(f) and getattr(f, '__qualname__', '').startswith(cls.__name__ + '.'): out.append((k, v))
    return out

def _api_html(module, src:str, source_href=None)->str:
    "The API entries of the public names an exported cell defines: functions, classes with their own methods, patched methods"
    out = []
    for m in re.finditer(r'^(?:class (\w+)|(?:async )?def (\w+)\((?:self:(\w+))?)', src, re.M):
        name, owner = m.group(1) or m.group(2), m.group(3)
        if name.startswith('_'): continue
        obj = getattr(getattr(module, owner), name, None) if owner else getattr(module, name, None)
        if obj is None: continue
        out.append(_api_entry(obj, f'{owner}.{name}' if owner else name, source_href))
        if m.group(1) and isinstance(obj, type):
            out += [_api_entry(v, f'{name}.{k}', source_href) for k, v in _own_methods(obj)]
    return '\n'.join(out)

_BAR = re.compile(r'^\s*(Epoch \d+/\d+ :)?[\s█]*(\|[█-]*(\|.*)?)?$') # a fastprogress text bar (or its start), a lone block, an empty line

def _clean_stream(text):
    "Stream output without the text progress bars fastprogress prints outside Jupyter"
    return '\n'.join(l for l in text.splitlines() if not (_BAR.match(l) or 'Epoch'.startswith(l.strip()))) + '\n'

_TESTS = {'test_eq', 'test_ne', 'test_close', 'test_fail', 'test_is', 'test_warns', 'test_eq_type', 'test_shuffled', 'test_stdout', 'rmtree'}

def _test_only(src:str)->bool:
    "True for a code cell that only checks (asserts, `test_*` calls, loops of them) or removes temporary files: nbdev hides these"
    import ast
    try: tree = ast.parse(src)
    except SyntaxError: return False
    def ok(s):
        if isinstance(s, ast.Assert): return True
        if isinstance(s, ast.Expr) and isinstance(s.value, ast.Call):
            f = s.value.func
            return (f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else None) in _TESTS
        if isinstance(s, (ast.For, ast.With)): return all(ok(b) for b in s.body)
        return False
    return bool(tree.body) and all(ok(s) for s in tree.body)

def _page_notebook(nb, module, source_href=None):
    "The notebook as its page shows it: hidden and test-only cells dropped, directives stripped, exported cells shown as their API"
    import nbformat
    cells = []
    for c in nb.cells:
        d = _dirs(c.source)
        if any(x in ('hide', 'include: false', 'default_exp') or x.startswith('default_exp') for x in d): continue
        if c.cell_type == 'code' and 'export' in d and module is not None:
            api = _api_html(module, c.source, source_href)
            if api: cells.append(nbformat.v4.new_markdown_cell(api))
            continue
        if c.cell_type == 'code':
            if _test_only(_strip_dirs(c.source)) and not c.get('outputs'): continue
            c.source = _strip_dirs(c.source)
            for o in c.get('outputs', []):
                if o.get('output_type') == 'stream': o['text'] = _clean_stream(o['text'])
            c['outputs'] = [o for o in c.get('outputs', []) if o.get('output_type') != 'stream' or o['text'].strip()]
            if not c.source and not c.get('outputs'): continue
        cells.append(c)
    nb.cells = cells
    return nb

def site_pages(nbs='nbs')->list:
    "The notebooks of the site in reading order: home, library notebooks by number, lessons"
    nbs = Path(nbs)
    lib = sorted(p for p in nbs.glob('[0-9]*.ipynb'))
    return [nbs/'index.ipynb'] + lib + sorted((nbs/'tutorials').glob('*.ipynb'))

def _href(p, nbs): return 'index.html' if p.name == 'index.ipynb' else p.relative_to(nbs).with_suffix('.html').as_posix()

def repo_url(root='.')->str|None:
    "The repository's web address from pyproject.toml's [project.urls] (Repository, Source or Homepage), or None"
    f = Path(root)/'pyproject.toml'
    if not f.exists(): return None
    try:
        import tomllib # Python 3.11+
        urls = tomllib.loads(f.read_text()).get('project', {}).get('urls', {})
    except ModuleNotFoundError: # 3.10: the [project.urls] table's `key = "value"` lines
        sec = re.search(r'^\[project\.urls\]\s*$(.*?)(?=^\[|\Z)', f.read_text(), re.M | re.S)
        urls = dict(re.findall(r'^\s*"?(\w+)"?\s*=\s*"([^"]+)"', sec.group(1), re.M)) if sec else {}
    return next((urls[k].rstrip('/') for k in ('Repository', 'Source', 'Homepage') if k in urls), None)

def _source_pages(root:Path, out:Path)->None:
    "Each module of the package as a highlighted page with a numbered anchor per line (src/<path>.html#L-<n>)"
    from pygments import highlight
    from pygments.lexers import PythonLexer
    from pygments.formatters import HtmlFormatter
    fmt = HtmlFormatter(linenos='inline', lineanchors='L', anchorlinenos=True, wrapcode=True)
    for f in sorted((root/'fastseg').rglob('*.py')):
        rel = f.relative_to(root).as_posix()
        dest = out/'src'/f'{rel}.html'; dest.parent.mkdir(parents=True, exist_ok=True)
        up = '../' * (rel.count('/') + 1)
        dest.write_text(f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">'
                        f'<title>{rel} - fastseg</title><link rel="icon" href="data:,"><link rel="stylesheet" href="{up}style.css"></head>'
                        f'<body class="source"><main><p><a href="{up}index.html">fastseg</a> / <code>{rel}</code> (generated from the notebooks)</p>'
                        f'{highlight(f.read_text(), PythonLexer(), fmt)}</main></body></html>\n')

def _source_href(root:Path, url:str|None, up:str):
    "A function (file, first, last) -> link to those lines: on the repository when its address is known, else the site's source pages"
    root = root.resolve()
    def href(fn, a, b):
        if not Path(fn).resolve().is_relative_to(root): return None
        rel = Path(fn).resolve().relative_to(root).as_posix()
        return f'{url}/blob/main/{rel}#L{a}-L{b}' if url else f'{up}src/{rel}.html#L-{a}'
    return href

_SKIP_RUN = ('90_docs.ipynb',) # builds this site: running it while building would recurse

def _run_one(fn:Path)->str:
    "`fn` run as nbdev-test runs it, in a fresh Python, next to the original (its relative paths hold); its JSON with outputs"
    tmp = Path(fn).resolve().with_name(f'.{Path(fn).stem}.run.ipynb')
    shutil.copy(fn, tmp)
    code = "import sys; from nbdev.test import test_nb; sys.exit(0 if test_nb(sys.argv[1], skip_flags=['slow', 'cuda', 'notest'], save=True)[0] else 1)"
    try:
        r = subprocess.run([sys.executable, '-c', code, str(tmp)], capture_output=True, text=True)
        if r.returncode: raise DocsError(f"{fn} failed when run for its outputs (nbdev-test shows why):\n{r.stderr[-3000:]}")
        return tmp.read_text()
    finally: tmp.unlink(missing_ok=True)

def run_notebooks(paths:list, # notebooks to run
                  n_workers:int=2)->dict: # notebooks run at once
    "Run each notebook as nbdev-test does (cells flagged slow, cuda or notest skipped), each in its own process; {path: notebook with its outputs}"
    import nbformat
    with concurrent.futures.ThreadPoolExecutor(n_workers) as ex: # each worker waits on its own Python process
        ran = {p: nbformat.reads(s, as_version=4) for p, s in zip(paths, ex.map(_run_one, paths))}
    for nb in ran.values():
        for c in nb.cells: c.metadata.pop('execution', None) # execnb's timings, which nbformat's schema refuses
    return ran

def _text(h:str)->str: return re.sub(r'\s+', ' ', html.unescape(re.sub(r'<[^>]+>', ' ', h))).strip()

def _sections(body:str, title:str, href:str)->list:
    "Search entries of one page: its text cut at each heading that has an id"
    body = re.sub(r'<(style|script)\b.*?</\1>', ' ', body, flags=re.S)
    parts = re.split(r'<h([1-3])[^>]*\bid="([^"]+)"[^>]*>(.*?)</h\1>', body, flags=re.S)
    out = [dict(t=title, u=href, h=title, x=_text(parts[0])[:1500])]
    for i in range(1, len(parts) - 3, 4):
        out.append(dict(t=title, u=f'{href}#{parts[i + 1]}', h=_text(parts[i + 2]).removesuffix('¶').strip(), x=_text(parts[i + 3])[:1500]))
    return [e for e in out if e['h'] or e['x']]

_SEARCH_JS = r"""
document.addEventListener('DOMContentLoaded', () => {
  const box = document.getElementById('search'), out = document.getElementById('results'), root = document.body.dataset.root || '';
  const pages = document.querySelector('nav details');
  if (pages && window.innerWidth < 800) pages.open = false;
  if (!box) return;
  box.addEventListener('input', () => {
    const words = box.value.toLowerCase().split(/\s+/).filter(w => w.length > 1);
    out.innerHTML = '';
    if (!words.length) return;
    const hits = [];
    for (const e of window.FASTSEG_SEARCH) {
      const head = e.h.toLowerCase(), all = head + ' ' + e.t.toLowerCase() + ' ' + e.x.toLowerCase();
      if (words.every(w => all.includes(w))) hits.push([words.every(w => head.includes(w)) ? 0 : 1, e]);
    }
    hits.sort((a, b) => a[0] - b[0]);
    for (const [, e] of hits.slice(0, 20)) {
      const a = document.createElement('a'); a.href = root + e.u; a.textContent = e.h === e.t ? e.t : e.h + ' \u2014 ' + e.t; out.appendChild(a);
    }
    if (!hits.length) out.textContent = 'No results';
  });
});
"""

def _write_search(out:Path, entries:list)->None:
    "search.js: the index as a script (no fetch, so it works from file:// too) and the few lines that search it"
    (out/'search.js').write_text('window.FASTSEG_SEARCH = ' + json.dumps(entries, ensure_ascii=False) + ';\n' + _SEARCH_JS)

def _nav(p, pages, groups, info, nbs, up)->str:
    links = ''.join(f'<h2>{g}</h2>' + ''.join(f'<a href="{up}{_href(q, nbs)}"{" class=current" if q == p else ""}>{html.escape(info[q][0])}</a>'
                                              for q in ps) for g, ps in groups if ps)
    return (f'<nav><a href="{up}index.html"><b>fastseg</b></a><input id="search" type="search" placeholder="Search the docs" '
            f'aria-label="Search the docs" autocomplete="off"><div id="results"></div><details open><summary>Pages</summary>{links}</details></nav>')

def _page(p, i, pages, groups, info, nbs, body:str)->str:
    "The HTML page of notebook `p` (the `i`-th of `pages`) around its rendered `body`"
    href = _href(p, nbs); up = '../' * href.count('/')
    prev_ = f'<a href="{up}{_href(pages[i - 1], nbs)}">&larr; {html.escape(info[pages[i - 1]][0])}</a>' if i else '<span></span>'
    next_ = f'<a href="{up}{_href(pages[i + 1], nbs)}">{html.escape(info[pages[i + 1]][0])} &rarr;</a>' if i + 1 < len(pages) else '<span></span>'
    title, desc = info[p]
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">'
            f'<title>{html.escape(title)} - fastseg</title><meta name="description" content="{html.escape(desc)}">'
            f'<link rel="icon" href="data:,"><link rel="stylesheet" href="{up}style.css"><script src="{up}search.js"></script></head>\n'
            f'<body data-root="{up}">{_nav(p, pages, groups, info, nbs, up)}'
            f'<main>{body}<div class="pager">{prev_}{next_}</div></main></body></html>\n')

def build_site(nbs='nbs', # the notebooks folder
               out='_site', # where to write the site
               run:bool=False)->list: # run the library notebooks first, so their pages show outputs (minutes)
    "Render the notebooks to a static HTML site in `out`, with API entries, source pages and search; return the pages written"
    try:
        import nbformat
        from nbconvert import HTMLExporter
        from pygments.formatters import HtmlFormatter
    except ImportError: raise DocsError("Building the docs needs nbconvert: pip install -e '.[dev]'") from None
    nbs, out = Path(nbs), Path(out)
    if not (nbs/'index.ipynb').exists(): raise DocsError(f"No index.ipynb in {nbs}: pass the project's nbs folder.")
    pages, root = site_pages(nbs), nbs.parent
    ran = run_notebooks([p for p in pages if p.parent == nbs and p.name not in _SKIP_RUN]) if run else {}
    info = {p: _title(nbformat.read(p, as_version=4), p.stem) for p in pages}
    if out.exists(): shutil.rmtree(out)
    out.mkdir(parents=True)
    (out/'style.css').write_text(_CSS + HtmlFormatter().get_style_defs('.highlight'))
    _source_pages(root, out)
    exporter = HTMLExporter(template_name='basic', exclude_input_prompt=True, exclude_output_prompt=True)
    groups = [('Home', [pages[0]]), ('Library', [p for p in pages if p.parent == nbs and p.name != 'index.ipynb']),
              ('Lessons', [p for p in pages if p.parent.name == 'tutorials'])]
    written, entries, url = [], [], repo_url(root)
    for i, p in enumerate(pages):
        nb = ran.get(p) or nbformat.read(p, as_version=4)
        exp = next((d.split(None, 1)[1] for c in nb.cells for d in _dirs(c.source) if d.startswith('default_exp')), None)
        module = importlib.import_module(f'fastseg.{exp}') if exp else None
        href = _href(p, nbs)
        body, _ = exporter.from_notebook_node(_page_notebook(nb, module, _source_href(root, url, '../' * href.count('/'))))
        body = re.sub(r'href="(?!https?:|#|mailto:)(?:nbs/)?([^"#]+)\.ipynb', lambda m: f'href="{m.group(1)}.html', body) # README's links start at the repository root
        entries += _sections(body, info[p][0], href)
        dest = out/href
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(_page(p, i, pages, groups, info, nbs, body))
        written.append(dest)
    _write_search(out, entries)
    for d in ('images', 'tutorials/images'):
        if (nbs/d).is_dir(): shutil.copytree(nbs/d, out/d, dirs_exist_ok=True)
    return written

def find_chromium()->str:
    "The Chromium to check the site with: $CHROMIUM, else the first Chromium or Chrome on the PATH"
    if os.environ.get('CHROMIUM'): return os.environ['CHROMIUM']
    found = (shutil.which(n) for n in ('chromium', 'chromium-browser', 'google-chrome', 'chrome'))
    return next((f for f in found if f), 'chromium')

CHROMIUM = find_chromium()
_CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
                  '--disable-component-update', '--disable-sync']

def browser_missing(chromium=CHROMIUM)->str|None:
    "Why the browser check cannot run here, or None when it can"
    if not (Path(chromium).exists() or shutil.which(chromium)): return f"Chromium is not installed ({chromium} not found; Debian: apt-get install chromium, or set $CHROMIUM)"
    try: import playwright.sync_api
    except ImportError: return "Playwright is not installed (pip install -e '.[dev]')"
    return None

def _serve(root):
    import http.server
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *a): pass
    httpd = http.server.ThreadingHTTPServer(('127.0.0.1', 0), functools.partial(Quiet, directory=str(root)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd

WIDTHS = dict(desktop=(1280, 900), phone=(390, 844)) # the viewports every page is checked at
SHOT_PAGES = dict(home='index.html', metrics='08_metrics.html', interpret='41_interpret.html', lesson='tutorials/camvid.html') # screenshots

def check_site(site='_site', # a built site
               shots=None, # folder for the screenshots (`SHOT_PAGES` at each of `WIDTHS`); None: none
               chromium=CHROMIUM,
               only:list|None=None)->dict: # check just these pages (paths in the site); default every page
    "Open every page of `site` in headless Chromium at each of `WIDTHS`, and search it; return what was checked and the problems"
    if why := browser_missing(chromium): raise DocsError(f"Cannot check the site: {why}.")
    site = Path(site)
    pages = sorted(site.rglob('*.html')) if only is None else [site/p for p in only]
    if not pages: raise DocsError(f"No HTML pages in {site}: build the site first (python tools/build_docs.py).")
    httpd = _serve(site)
    try: # Playwright's sync API refuses to run in a thread with an asyncio loop (a notebook's), so it gets its own thread
        with concurrent.futures.ThreadPoolExecutor(1) as ex:
            return ex.submit(_browse, f'http://127.0.0.1:{httpd.server_address[1]}/', site, pages, shots, chromium).result()
    finally: httpd.shutdown()

def _check_page(page, base, site, rel, problems)->tuple:
    "Load one page; note what does not load, display or link; return the internal links and images seen"
    resp = page.goto(base + rel, wait_until='load')
    if resp is None or not resp.ok: problems.append(f"{rel}: page did not load ({resp.status if resp else 'no response'})")
    imgs = page.eval_on_selector_all('img', 'els => els.map(e => [e.getAttribute("src").slice(0, 80), e.complete && e.naturalWidth > 0])')
    problems += [f"{rel}: image does not display: {src}" for src, ok in imgs if not ok]
    links = [h for h in page.eval_on_selector_all('a[href]', 'els => els.map(e => e.href)') if h.startswith(base)]
    for href in links:
        path, _, frag = href[len(base):].partition('#')
        target = site/(path or 'index.html')
        if target.is_dir(): target = target/'index.html'
        if not target.exists(): problems.append(f"{rel}: broken link to {path}"); continue
        if frag and target.suffix == '.html' and not {frag, urllib.parse.unquote(frag)} & _anchors(target): # ids as written or percent-decoded
            problems.append(f"{rel}: link to a missing anchor {path}#{frag}")
    return len(links), len(imgs)

def _anchors(page:Path)->set:
    "The ids and names a page's elements carry, as a browser reads them (entities decoded: an id of `a&amp;b` is `a&b`)"
    return {html.unescape(v) for v in re.findall(r'\b(?:id|name)="([^"]*)"', page.read_text(errors='ignore'))}

def _overflow(page)->int:
    "How many pixels the page is wider than the window (0: no sideways scrolling)"
    return page.evaluate('document.documentElement.scrollWidth - window.innerWidth')

def search_works(page, url:str, query:str='tiled_predict', expect:str='31_inference.html#tiled_predict')->bool:
    "Type `query` into the search box of the page at `url`; True when a result links to `expect`"
    page.goto(url, wait_until='load')
    page.fill('#search', query)
    page.wait_for_timeout(200)
    return any(h.endswith(expect) for h in page.eval_on_selector_all('#results a', 'els => els.map(e => e.href)'))

def _browse(base, site, pages, shots, chromium):
    from playwright.sync_api import sync_playwright
    problems, n_links, n_imgs, shots_written, cur = [], 0, 0, [], {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(chromium), args=_CHROMIUM_ARGS)
        for wname, (w, h) in WIDTHS.items():
            page = browser.new_page(viewport={'width': w, 'height': h})
            page.on('pageerror', lambda e: problems.append(f"{cur['p']}: JavaScript error: {e}"))
            page.on('console', lambda m: m.type == 'error' and problems.append(f"{cur['p']}: console error: {m.text}"))
            page.on('requestfailed', lambda r: problems.append(f"{cur['p']}: request failed: {r.url}"))
            page.on('response', lambda r: r.status >= 400 and problems.append(f"{cur['p']}: HTTP {r.status} for {r.url}"))
            for p in pages:
                rel = p.relative_to(site).as_posix(); cur['p'] = rel
                links, imgs = _check_page(page, base, site, rel, problems)
                if wname == 'desktop': n_links, n_imgs = n_links + links, n_imgs + imgs
                if (over := _overflow(page)) > 1: problems.append(f"{rel}: {over} px wider than a {w} px window (sideways scrolling)")
            if shots is not None: shots_written += _screenshots(page, base, site, Path(shots), wname)
            page.close()
        page = browser.new_page(viewport={'width': 1280, 'height': 900}); cur['p'] = 'search'
        for where, url in (('served', base + 'index.html'), ('file://', (site/'index.html').resolve().as_uri())):
            if not search_works(page, url): problems.append(f"search ({where}): typing 'tiled_predict' in the search box found no link to its entry")
        browser.close()
    return dict(pages=len(pages), links=n_links, images=n_imgs, problems=problems, screenshots=shots_written)

def _screenshots(page, base, site, shots:Path, wname:str)->list:
    shots.mkdir(parents=True, exist_ok=True)
    out = []
    for name, rel in SHOT_PAGES.items():
        if not (site/rel).exists(): continue
        page.goto(base + rel, wait_until='load')
        page.screenshot(path=str(shots/f'{name}-{wname}.png'), full_page=False)
        out.append(shots/f'{name}-{wname}.png')
    return out

def main(argv=None)->int:
    "Write README.md, build the docs site and optionally check it in a browser"
    p = argparse.ArgumentParser(prog='tools/build_docs.py', description='Build README.md and the docs site without Quarto.')
    p.add_argument('--root', default='.', help='the project folder (default: here)')
    p.add_argument('--out', default='_site', help='site folder (default: _site)')
    p.add_argument('--no-run', action='store_true', help="don't run the library notebooks first (quicker; their pages then show no outputs)")
    p.add_argument('--check', action='store_true', help='then open every page in headless Chromium')
    a = p.parse_args(argv)
    root = Path(a.root)
    try:
        print(f"Wrote {write_readme(root/'nbs'/'index.ipynb', root/'README.md')}")
        pages = build_site(root/'nbs', root/a.out, run=not a.no_run)
        print(f"Built the site: {len(pages)} pages in {root/a.out} (open {root/a.out/'index.html'})")
        if a.check:
            res = check_site(root/a.out, root/'_site_shots')
            for pr in res['problems']: print(pr, file=sys.stderr)
            print(f"Checked {res['pages']} pages, {res['links']} links, {res['images']} images in Chromium: "
                  f"{len(res['problems'])} problems; screenshots in {root/'_site_shots'}")
            return 1 if res['problems'] else 0
    except DocsError as e:
        print(f"build_docs: error: {e}", file=sys.stderr); return 2
    return 0

if __name__ == '__main__': sys.exit(main())
