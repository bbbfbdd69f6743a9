#!/usr/bin/env python3
"""Repository tooling, not part of the `fastseg` package: README.md and the docs site built from the notebooks with
nbconvert (so both can be rebuilt where Quarto cannot be installed), and a headless-Chromium check that reads the site
as a visitor does. Its tests and the story behind it are in nbs/90_docs.ipynb.

    python tools/build_docs.py            # README.md and _site/
    python tools/build_docs.py --check    # then open every page in headless Chromium
"""
from __future__ import annotations
import argparse, concurrent.futures, functools, html, importlib, inspect, os, re, shutil, sys, threading
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
main{max-width:980px;padding:1.5em 2.5em;box-sizing:border-box;min-width:0}
pre{background:#f6f8fa;padding:.7em;overflow-x:auto;border-radius:6px;font-size:13px}
code{font-size:.9em}table{border-collapse:collapse;margin:.6em 0}td,th{border:1px solid #d0d7de;padding:.25em .6em}
img{max-width:100%}blockquote{color:#57606a;border-left:4px solid #d0d7de;margin:0;padding:0 1em}
.prompt{display:none}.api{border-top:2px solid #d0d7de;margin-top:1.5em}.pager{display:flex;justify-content:space-between;margin-top:3em}
.output_area pre{background:#fff;border:1px solid #eee}a.anchor-link{display:none}
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

def _api_markdown(module, src)->str:
    "nbdev `show_doc` Markdown for the public names an exported cell defines (functions, classes, patched methods)"
    from nbdev.showdoc import show_doc
    out = []
    for m in re.finditer(r'^(?:class (\w+)|(?:async )?def (\w+)\((?:self:(\w+))?)', src, re.M):
        name, owner = m.group(1) or m.group(2), m.group(3)
        if name.startswith('_'): continue
        obj = getattr(getattr(module, owner), name, None) if owner else getattr(module, name, None)
        if obj is None: continue
        doc = show_doc(obj, title_level=3, name=f'{owner}.{name}' if owner else None)._repr_markdown_()
        out.append(re.sub(r'^\[source\]\(.*$', '', doc, flags=re.M).strip().removeprefix('---').strip())
    return '\n\n'.join(out)

_BAR = re.compile(r'^\s*(Epoch \d+/\d+ :)?[\s█]*(\|[█-]*(\|.*)?)?$') # a fastprogress text bar (or its start), a lone block, an empty line

def _clean_stream(text):
    "Stream output without the text progress bars fastprogress prints outside Jupyter"
    return '\n'.join(l for l in text.splitlines() if not (_BAR.match(l) or 'Epoch'.startswith(l.strip()))) + '\n'

def _page_notebook(nb, module):
    "The notebook as its page shows it: hidden cells dropped, directives stripped, exported cells shown as their API"
    import nbformat
    cells = []
    for c in nb.cells:
        d = _dirs(c.source)
        if any(x in ('hide', 'include: false', 'default_exp') or x.startswith('default_exp') for x in d): continue
        if c.cell_type == 'code' and 'export' in d and module is not None:
            api = _api_markdown(module, c.source)
            if api: cells.append(nbformat.v4.new_markdown_cell(f'<div class="api"></div>\n\n{api}'))
            continue
        if c.cell_type == 'code':
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

def build_site(nbs='nbs', # the notebooks folder
               out='_site')->list: # where to write the site
    "Render the notebooks to a static HTML site in `out`; return the pages written"
    try:
        import nbformat
        from nbconvert import HTMLExporter
        from pygments.formatters import HtmlFormatter
    except ImportError: raise DocsError("Building the docs needs nbconvert: pip install -e '.[dev]'") from None
    nbs, out = Path(nbs), Path(out)
    pages = site_pages(nbs)
    if not (nbs/'index.ipynb').exists(): raise DocsError(f"No index.ipynb in {nbs}: pass the project's nbs folder.")
    info = {p: _title(nbformat.read(p, as_version=4), p.stem) for p in pages}
    if out.exists(): shutil.rmtree(out)
    out.mkdir(parents=True)
    (out/'style.css').write_text(_CSS + HtmlFormatter().get_style_defs('.highlight'))
    exporter = HTMLExporter(template_name='basic', exclude_input_prompt=True, exclude_output_prompt=True)
    groups = [('Home', [pages[0]]), ('Library', [p for p in pages if p.parent == nbs and p.name != 'index.ipynb']),
              ('Lessons', [p for p in pages if p.parent.name == 'tutorials'])]
    written = []
    for i, p in enumerate(pages):
        nb = nbformat.read(p, as_version=4)
        exp = next((d.split(None, 1)[1] for c in nb.cells for d in _dirs(c.source) if d.startswith('default_exp')), None)
        module = importlib.import_module(f'fastseg.{exp}') if exp else None
        body, _ = exporter.from_notebook_node(_page_notebook(nb, module))
        href = _href(p, nbs)
        up = '../' * href.count('/')
        body = re.sub(r'href="(?!https?:|#|mailto:)(?:nbs/)?([^"#]+)\.ipynb', lambda m: f'href="{m.group(1)}.html', body) # README's links start at the repository root
        nav = ''.join(f'<h2>{g}</h2>' + ''.join(f'<a href="{up}{_href(q, nbs)}"{" class=current" if q == p else ""}>{html.escape(info[q][0])}</a>'
                                               for q in ps) for g, ps in groups if ps)
        prev_ = f'<a href="{up}{_href(pages[i - 1], nbs)}">&larr; {html.escape(info[pages[i - 1]][0])}</a>' if i else '<span></span>'
        next_ = f'<a href="{up}{_href(pages[i + 1], nbs)}">{html.escape(info[pages[i + 1]][0])} &rarr;</a>' if i + 1 < len(pages) else '<span></span>'
        title, desc = info[p]
        page = (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">'
                f'<title>{html.escape(title)} - fastseg</title><meta name="description" content="{html.escape(desc)}">'
                f'<link rel="icon" href="data:,"><link rel="stylesheet" href="{up}style.css"></head>\n<body><nav><a href="{up}index.html"><b>fastseg</b></a>{nav}</nav>'
                f'<main>{body}<div class="pager">{prev_}{next_}</div></main></body></html>\n')
        dest = out/href
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(page)
        written.append(dest)
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

def check_site(site='_site', # a built site
               shots=None, # folder for home.png and lesson.png; None: no screenshots
               chromium=CHROMIUM)->dict:
    "Open every page of `site` in headless Chromium; return the pages, links and images checked, and the problems"
    if why := browser_missing(chromium): raise DocsError(f"Cannot check the site: {why}.")
    site = Path(site)
    pages = sorted(site.rglob('*.html'))
    if not pages: raise DocsError(f"No HTML pages in {site}: build the site first (python tools/build_docs.py).")
    httpd = _serve(site)
    try: # Playwright's sync API refuses to run in a thread with an asyncio loop (a notebook's), so it gets its own thread
        with concurrent.futures.ThreadPoolExecutor(1) as ex:
            return ex.submit(_browse, f'http://127.0.0.1:{httpd.server_address[1]}/', site, pages, shots, chromium).result()
    finally: httpd.shutdown()

def _browse(base, site, pages, shots, chromium):
    from playwright.sync_api import sync_playwright
    problems, n_links, n_imgs, shots_written = [], 0, 0, []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(chromium), args=_CHROMIUM_ARGS)
        page = browser.new_page(viewport={'width': 1280, 'height': 900})
        cur = {}
        page.on('pageerror', lambda e: problems.append(f"{cur['p']}: JavaScript error: {e}"))
        page.on('console', lambda m: m.type == 'error' and problems.append(f"{cur['p']}: console error: {m.text}"))
        page.on('requestfailed', lambda r: problems.append(f"{cur['p']}: request failed: {r.url}"))
        page.on('response', lambda r: r.status >= 400 and problems.append(f"{cur['p']}: HTTP {r.status} for {r.url}"))
        for p in pages:
            rel = p.relative_to(site).as_posix(); cur['p'] = rel
            resp = page.goto(base + rel, wait_until='load')
            if resp is None or not resp.ok: problems.append(f"{rel}: page did not load ({resp.status if resp else 'no response'})")
            for src, ok in page.eval_on_selector_all('img', 'els => els.map(e => [e.getAttribute("src").slice(0, 80), e.complete && e.naturalWidth > 0])'):
                n_imgs += 1
                if not ok: problems.append(f"{rel}: image does not display: {src}")
            for href in page.eval_on_selector_all('a[href]', 'els => els.map(e => e.href)'):
                if not href.startswith(base): continue
                n_links += 1
                path, _, frag = href[len(base):].partition('#')
                target = site/(path or 'index.html')
                if target.is_dir(): target = target/'index.html'
                if not target.exists(): problems.append(f"{rel}: broken link to {path}"); continue
                if frag and f'id="{frag}"' not in target.read_text(errors='ignore') and target.suffix == '.html':
                    problems.append(f"{rel}: link to a missing anchor {path}#{frag}")
        if shots is not None:
            shots = Path(shots); shots.mkdir(parents=True, exist_ok=True)
            lessons = [p for p in pages if p.parent.name == 'tutorials'] or pages[1:2]
            for name, p in (('home', site/'index.html'), ('lesson', lessons[0])):
                cur['p'] = p.name
                page.goto(base + p.relative_to(site).as_posix(), wait_until='load')
                page.screenshot(path=str(shots/f'{name}.png'), full_page=False)
                shots_written.append(shots/f'{name}.png')
        browser.close()
    return dict(pages=len(pages), links=n_links, images=n_imgs, problems=problems, screenshots=shots_written)

def main(argv=None)->int:
    "Write README.md, build the docs site and optionally check it in a browser"
    p = argparse.ArgumentParser(prog='tools/build_docs.py', description='Build README.md and the docs site without Quarto.')
    p.add_argument('--root', default='.', help='the project folder (default: here)')
    p.add_argument('--out', default='_site', help='site folder (default: _site)')
    p.add_argument('--check', action='store_true', help='then open every page in headless Chromium')
    a = p.parse_args(argv)
    root = Path(a.root)
    try:
        print(f"Wrote {write_readme(root/'nbs'/'index.ipynb', root/'README.md')}")
        pages = build_site(root/'nbs', root/a.out)
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
