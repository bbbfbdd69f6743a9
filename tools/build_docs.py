#!/usr/bin/env python3
"""Repository tooling, not part of the `fastseg` package: README.md and the docs site built from the notebooks. The
site is Material for MkDocs: this script turns each notebook into a Markdown page (API entries from the exported
cells, with docments parameter tables and source links; outputs kept or run; backticked names linked to their
entries), writes the navigation, and runs `mkdocs build`. Its tests and the story behind it are in nbs/90_docs.ipynb.

    python tools/build_docs.py            # README.md and _site/ (the library notebooks are run first, for their outputs)
    python tools/build_docs.py --no-run   # the same without running them (a minute; library pages without outputs)
    python tools/build_docs.py --check    # then open every page in headless Chromium at two widths, and search it
    python tools/build_docs.py --serve    # serve the built site on http://127.0.0.1:8000/
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
    hidden = set(getattr(obj, '_methods', ())) if isinstance(obj, type) else set() # fastai's Callback takes every event as a keyword (`funcs_kwargs`)
    ps, star = [], False
    for p in sig.parameters.values():
        if p.name in ('self', 'cls') or p.name in hidden: continue
        if p.kind == p.KEYWORD_ONLY and not star: ps.append('*')
        star |= p.kind in (p.KEYWORD_ONLY, p.VAR_POSITIONAL)
        ps.append(_param_str(p))
    if ps and ps[-1] == '*': ps.pop()
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

def _md_text(s:str)->str:
    "A docstring or docment as Markdown: `code` spans kept, `<` and `>` elsewhere escaped (so `<stem>_P.png` is not read as a tag)"
    return ''.join(p if p.startswith('`') else p.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')
                   for p in re.split(r'(`[^`]+`)', s))

def _html_text(s:str)->str:
    "A docment as HTML for a table cell: escaped, with `code` spans"
    return re.sub(r'`([^`]+)`', r'<code>\1</code>', html.escape(s, quote=False))

def source_lines(obj):
    "(file, first line, last line) of `obj`'s source, or None"
    obj = inspect.unwrap(getattr(obj, '__func__', None) or getattr(obj, 'fget', None) or obj)
    try:
        lines, start = inspect.getsourcelines(obj)
        return Path(inspect.getsourcefile(obj)), start, start + len(lines) - 1
    except (TypeError, OSError): return None

def api_markdown(obj, name:str, source_href=None, doc:str|None=None)->str:
    "One API entry as Markdown: a heading (id `name`, in the page's contents) with a source link, signature, docstring (or `doc`), parameter table"
    src = source_lines(obj)
    where = source_href(*src) if src and source_href else None
    target = obj.fget if isinstance(obj, property) else getattr(obj, '__func__', obj) # a property's getter; a classmethod's function
    kind = 'property ' if isinstance(obj, property) else 'classmethod ' if isinstance(obj, classmethod) or isinstance(getattr(obj, '__self__', None), type) else ''
    out = [f'### {kind}`{name}` {{ #{name} .api }}', '']
    if where: out += [f'<small><a href="{html.escape(where)}">source</a></small>', ''] # raw HTML: mkdocs leaves it, `check_links` checks it
    if not isinstance(obj, property): out += ['```python', _signature(target, name.split('.')[-1]), '```', '']
    if doc := doc or inspect.getdoc(target): out += [_md_text(doc), '']
    rows = [] if isinstance(obj, property) else [r for r in api_params(target) if r[3]] # documented parameters; the signature shows every one
    if rows:
        out += ['<table><thead><tr><th>parameter</th><th>type</th><th>default</th><th>description</th></tr></thead><tbody>'
                + ''.join(f'<tr><td><code>{html.escape(n)}</code></td><td>{f"<code>{html.escape(t)}</code>" if t else ""}</td>'
                          f'<td>{f"<code>{html.escape(dv)}</code>" if dv else ""}</td><td>{_html_text(c)}</td></tr>' for n, t, dv, c in rows)
                + '</tbody></table>', '']
    return '\n'.join(out)

def _own_methods(cls)->list:
    "The public methods and properties written in the class's own body (not patched in later: those have their own cell), in source order"
    out, span = [], source_lines(cls)
    for k, v in vars(cls).items():
        if k.startswith('_'): continue
        f = getattr(v, '__func__', None) or getattr(v, 'fget', None) or v
        if is_hook(cls, k) or not (callable(f) and getattr(f, '__qualname__', '').startswith(cls.__name__ + '.')): continue
        s = source_lines(v)
        if span and s and not (s[0] == span[0] and span[1] <= s[1] <= span[2]): continue
        out.append((k, v))
    return out

def _member(cls, name:str):
    "A class's attribute as written (a property, a classmethod), or bound when a decorator's wrapper hides it (fastcore's `patch(cls_method=True)`)"
    o = inspect.getattr_static(cls, name, None)
    return o if o is None or isinstance(o, (property, classmethod, staticmethod)) or inspect.isfunction(o) else getattr(cls, name)

_HOOKS = ('forward', 'encodes', 'decodes') # what PyTorch and fastai's transforms call; a reader calls the model or transform

def is_hook(cls, name:str)->bool:
    "True for a method the framework calls, not the reader: `forward`, `encodes`/`decodes`, a fastai callback's events (its `_methods`)"
    return name in _HOOKS or name in getattr(cls, '_methods', ())

def entry_doc(module, name:str, obj)->str:
    "The docstring an entry shows: its own, or for a method that overrides a documented one, the one it overrides"
    target = getattr(obj, 'fget', None) or getattr(obj, '__func__', None) or obj
    if isinstance(target, type) or '.' not in name: return target.__doc__ or ''
    own, cls = getattr(target, '__doc__', None), getattr(module, name.split('.')[0], None)
    return own or (inspect.getdoc(getattr(cls, name.split('.')[-1], None)) if cls is not None else None) or ''

_DEF = re.compile(r'^(?:class (\w+)|(?:async )?def (\w+)\((?:(?:self|cls)\s*:\s*(\w+))?)', re.M)

def api_names(module, src:str)->list:
    "(name, object) of each public name an exported cell `src` defines: functions, classes and their own methods, patched methods"
    out = []
    for m in _DEF.finditer(src):
        name, owner = m.group(1) or m.group(2), m.group(3)
        if name.startswith('_') or (owner and is_hook(getattr(module, owner), name)): continue
        obj = _member(getattr(module, owner), name) if owner else getattr(module, name, None)
        if obj is None: continue
        out.append((f'{owner}.{name}' if owner else name, obj))
        if m.group(1) and isinstance(obj, type): out += [(f'{name}.{k}', v) for k, v in _own_methods(obj)]
    return out

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

def scrub_paths(text:str, root)->str:
    "Output text without the build machine's folders: paths in the checkout `root` relative to it, in its parent as `../`, in site-packages from there"
    root = Path(root).resolve()
    text = re.sub(r'/[^\s\'"]*/site-packages/', '<site-packages>/', text)
    for p, rel in ((root, ''), (root.parent, '../')):
        text = re.sub(re.escape(str(p)) + r'/', rel, text)
    return text

def _page_notebook(nb, module, root, source_href=None):
    "The notebook as its page shows it: hidden and test-only cells dropped, directives stripped, exported cells as their API, outputs cleaned"
    import nbformat
    cells, seen = [], set()
    for c in nb.cells:
        d = _dirs(c.source)
        if any(x in ('hide', 'include: false', 'default_exp') or x.startswith('default_exp') for x in d): continue
        if c.cell_type == 'code' and 'export' in d and module is not None:
            ents = [(n, o) for n, o in api_names(module, c.source) if n not in seen] # a name documented once per page
            seen.update(n for n, _ in ents)
            if ents: cells.append(nbformat.v4.new_markdown_cell('\n'.join(api_markdown(o, n, source_href, entry_doc(module, n, o)) for n, o in ents)))
            continue
        if c.cell_type == 'code':
            if _test_only(_strip_dirs(c.source)) and not c.get('outputs'): continue
            c.source = _strip_dirs(c.source)
            for o in c.get('outputs', []):
                if o.get('output_type') == 'stream': o['text'] = scrub_paths(_clean_stream(o['text']), root)
                for k, v in o.get('data', {}).items():
                    if k.startswith('text/') and isinstance(v, str): o['data'][k] = scrub_paths(v, root)
                if 'traceback' in o: o['traceback'] = [scrub_paths(t, root) for t in o['traceback']]
            c['outputs'] = [o for o in c.get('outputs', []) if o.get('output_type') != 'stream' or o['text'].strip()]
            if not c.source and not c.get('outputs'): continue
        cells.append(c)
    nb.cells = cells
    nb.metadata['language_info'] = {'name': 'python'} # fenced code gets Python highlighting
    return nb

_FENCE = re.compile(r'^(```|~~~)', re.M)

def linkify(md:str, index:dict, here:str)->str:
    "Backticked API names in prose (`seg_learner`, `SegDataLoaders.from_folder()`) as links to their entries; headings and fenced code left alone"
    up = '../' * here.count('/')
    def link(m):
        name = m.group(1).removesuffix('()')
        if name not in index: return m.group(0)
        page, anchor = index[name]
        return f"[{m.group(0)}]({'' if page == here else up + page}#{anchor})"
    out, fenced = [], False
    for line in md.split('\n'):
        if _FENCE.match(line.lstrip()): fenced = not fenced
        elif not fenced and not line.lstrip().startswith('#'):
            line = re.sub(r'(?<![\[`])`([A-Za-z_][\w.]*(?:\(\))?)`(?!`|\]\()', link, line)
        out.append(line)
    return '\n'.join(out)

def site_pages(nbs='nbs')->list:
    "The notebooks of the site in reading order: home, library notebooks by number, lessons"
    nbs = Path(nbs)
    lib = sorted(p for p in nbs.glob('[0-9]*.ipynb'))
    return [nbs/'index.ipynb'] + lib + sorted((nbs/'tutorials').glob('*.ipynb'))

def _md_path(p, nbs)->str: return 'index.md' if p.name == 'index.ipynb' else p.relative_to(nbs).with_suffix('.md').as_posix()

def _html_path(md:str)->str: return md.removesuffix('.md') + '.html'

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

def _source_pages(root:Path, docs:Path)->None:
    "Each module of the package as a page of numbered lines (src/<path>.md, an anchor per line), left out of the navigation and search"
    for f in sorted((root/'fastseg').rglob('*.py')):
        rel = f.relative_to(root).as_posix()
        dest = docs/'src'/f'{rel}.md'; dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(f'---\nsearch:\n  exclude: true\n---\n\n# `{rel}`\n\nGenerated from the notebooks.\n\n'
                        f'``````python linenums="1"\n{f.read_text()}\n``````\n')

def _source_href(root:Path, url:str|None, up:str):
    "A function (file, first, last) -> link to those lines: on the repository when its address is known, else the site's source pages"
    root = root.resolve()
    def href(fn, a, b):
        if not Path(fn).resolve().is_relative_to(root): return None
        rel = Path(fn).resolve().relative_to(root).as_posix()
        return f'{url}/blob/main/{rel}#L{a}-L{b}' if url else f'{up}src/{rel}.html#__codelineno-0-{a}'
    return href

def import_checkout(root)->None:
    "Import `fastseg` from the checkout at `root`, the one being documented (not another installed copy), so source links match its files"
    root = Path(root).resolve()
    if str(root) not in sys.path: sys.path.insert(0, str(root))
    import fastseg
    where = Path(fastseg.__file__).resolve()
    if not where.is_relative_to(root):
        raise DocsError(f"fastseg was imported from {where.parent}, not from the checkout being documented ({root}): "
                        f"build in a fresh Python, e.g. python {root/'tools'/'build_docs.py'} --root {root}")

_SKIP_RUN = ('90_docs.ipynb',) # builds this site: running it while building would recurse

def _run_one(fn:Path, threads:int=1)->str:
    "`fn` run as nbdev-test runs it, in a fresh Python with `threads` PyTorch threads, next to the original (its relative paths hold); its JSON with outputs"
    tmp = Path(fn).resolve().with_name(f'.{Path(fn).stem}.run.ipynb')
    shutil.copy(fn, tmp)
    code = "import sys; from nbdev.test import test_nb; sys.exit(0 if test_nb(sys.argv[1], skip_flags=['slow', 'cuda', 'notest'], save=True)[0] else 1)"
    try:
        env = os.environ | {'OMP_NUM_THREADS': os.environ.get('OMP_NUM_THREADS', str(threads))}
        r = subprocess.run([sys.executable, '-c', code, str(tmp)], capture_output=True, text=True, env=env)
        if r.returncode: raise DocsError(f"{fn} failed when run for its outputs (nbdev-test shows why):\n{r.stderr[-3000:]}")
        return tmp.read_text()
    finally: tmp.unlink(missing_ok=True)

def run_notebooks(paths:list, # notebooks to run
                  n_workers:int=2)->dict: # notebooks run at once
    "Run each notebook as nbdev-test does (cells flagged slow, cuda or notest skipped), each in its own process; {path: notebook with its outputs}"
    import nbformat
    with concurrent.futures.ThreadPoolExecutor(n_workers) as ex: # each worker waits on its own Python process
        threads = max(1, (os.cpu_count() or 1) // n_workers) # the cores shared out, as README's OMP_NUM_THREADS=1 does for nbdev-test: two notebooks with two threads each on two cores took one cell past 10 minutes (65 s alone)
        ran = {p: nbformat.reads(s, as_version=4) for p, s in zip(paths, ex.map(functools.partial(_run_one, threads=threads), paths))}
    for nb in ran.values():
        for c in nb.cells: c.metadata.pop('execution', None) # execnb's timings, which nbformat's schema refuses
    return ran

def _api_index(notebooks:dict, nbs)->dict:
    "{name: (page, anchor)} of every API entry of `notebooks` ({path: notebook}), for linking backticked names"
    index = {}
    for p, nb in notebooks.items():
        if not (exp := _default_exp(nb)): continue
        module = importlib.import_module(f'fastseg.{exp}')
        for c in nb.cells:
            if c.cell_type == 'code' and 'export' in _dirs(c.source):
                for n, _ in api_names(module, c.source): index.setdefault(n, (_md_path(p, nbs), n))
    return index

def _default_exp(nb): return next((d.split(None, 1)[1] for c in nb.cells for d in _dirs(c.source) if d.startswith('default_exp')), None)

def page_markdown(p:Path, nbs:Path, root:Path, index:dict, url:str|None=None, nb=None)->tuple:
    "(Markdown, {file: bytes}) of the page for notebook `p`: its cells as the page shows them, outputs as files beside it"
    import nbformat
    from nbconvert import MarkdownExporter
    nb = nb or nbformat.read(p, as_version=4)
    md_rel = _md_path(p, nbs); up = '../' * md_rel.count('/')
    exp = _default_exp(nb)
    module = importlib.import_module(f'fastseg.{exp}') if exp else None
    nb = _page_notebook(nb, module, root, _source_href(root, url, up))
    for c in nb.cells:
        if c.cell_type == 'markdown': c.source = linkify(c.source, index, md_rel)
    stem = Path(md_rel).stem
    body, res = MarkdownExporter().from_notebook_node(nb, resources={'output_files_dir': f'{stem}_files', 'unique_key': stem})
    body = re.sub(r'\]\((?!https?:|#|mailto:)(?:nbs/)?([^)#\s]+)\.ipynb', r'](\1.md', body) # links to notebooks go to their pages
    return body, {Path(md_rel).parent/k: v for k, v in res.get('outputs', {}).items()}

def mkdocs_config(root:Path, work:Path, out:Path, nav:list, url:str|None)->Path:
    "The build's config: the project's mkdocs.yml (look, features) plus the pages, the navigation and the repository link"
    cfg = {'INHERIT': os.path.relpath(root/'mkdocs.yml', work), 'docs_dir': 'pages', 'site_dir': os.path.relpath(out, work), 'nav': nav,
           'not_in_nav': '/src/'}
    if url: cfg |= {'repo_url': url, 'edit_uri': ''}
    (work/'mkdocs.yml').write_text('# Written by tools/build_docs.py; the look lives in the project root\'s mkdocs.yml\n' + json.dumps(cfg, indent=1) + '\n')
    return work/'mkdocs.yml'

def build_site(nbs='nbs', # the notebooks folder
               out='_site', # where to write the site
               run:bool=False, # run the library notebooks first, so their pages show outputs (minutes)
               pages:list|None=None)->list: # notebooks to include (default: `site_pages`)
    "Turn the notebooks into Markdown pages and build the site with Material for MkDocs into `out`; return the HTML pages of the notebooks"
    try:
        import nbformat, nbconvert, mkdocs # noqa: F401
        import material # noqa: F401
    except ImportError as e: raise DocsError(f"Building the docs needs {e.name}: pip install -e '.[dev]'") from None
    nbs, out = Path(nbs).resolve(), Path(out).resolve()
    if not (nbs/'index.ipynb').exists(): raise DocsError(f"No index.ipynb in {nbs}: pass the project's nbs folder.")
    root = nbs.parent
    if not (root/'mkdocs.yml').exists(): raise DocsError(f"No mkdocs.yml in {root}: the site's settings live there.")
    import_checkout(root)
    pages = site_pages(nbs) if pages is None else [Path(p).resolve() for p in pages]
    ran = run_notebooks([p for p in pages if p.parent == nbs and p.name not in _SKIP_RUN]) if run else {}
    work = root/'_mkdocs'; docs = work/'pages'
    if work.exists(): shutil.rmtree(work)
    docs.mkdir(parents=True)
    notebooks = {p: ran.get(p) or nbformat.read(p, as_version=4) for p in pages} # read once: the index, the titles and the pages use them
    titles = {p: _title(nb, p.stem)[0] for p, nb in notebooks.items()} # before the pages are made from them
    url, index = repo_url(root), _api_index(notebooks, nbs)
    _source_pages(root, docs)
    shutil.copy(Path(__file__).with_name('site.css'), docs/'site.css')
    for d in ('images', 'tutorials/images'):
        if (nbs/d).is_dir(): shutil.copytree(nbs/d, docs/d, dirs_exist_ok=True)
    for p in pages:
        body, files = page_markdown(p, nbs, root, index, url, notebooks[p])
        dest = docs/_md_path(p, nbs); dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(body)
        for f, b in files.items(): (docs/f).parent.mkdir(parents=True, exist_ok=True); (docs/f).write_bytes(b)
    entry = lambda p: {titles[p]: _md_path(p, nbs)}
    nav = [{'Home': 'index.md'}, {'Library': [entry(p) for p in pages if p.parent == nbs and p.name != 'index.ipynb']},
           {'Lessons': [entry(p) for p in pages if p.parent.name == 'tutorials']}]
    cfg = mkdocs_config(root, work, out, [s for s in nav if list(s.values())[0]], url)
    r = subprocess.run([sys.executable, '-m', 'mkdocs', 'build', '--strict', '-f', str(cfg)], capture_output=True, text=True,
                       env=os.environ | {'NO_MKDOCS_2_WARNING': '1'}) # Material's end-of-life notice (May 2027) is in the closing notes, not every build
    if r.returncode: raise DocsError(f"mkdocs build failed (a broken link or anchor is an error):\n{(r.stdout + r.stderr)[-4000:]}")
    if bad := check_links(out): raise DocsError("The built site has broken links or repeated ids:\n" + '\n'.join(bad[:30]))
    return [out/_html_path(_md_path(p, nbs)) for p in pages]

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
SHOT_PAGES = dict(home='index.html', api='08_metrics.html', interpret='41_interpret.html', lesson='tutorials/camvid.html') # screenshots
SEARCHES = {'tiled_predict': '31_inference.html#tiled_predict', 'Boxes become masks': 'tutorials/cells.html#boxes-become-masks'} # query: a result it must give

def check_site(site='_site', # a built site
               shots=None, # folder for the screenshots (`SHOT_PAGES` at each of `WIDTHS`); None: none
               chromium=CHROMIUM,
               only:list|None=None, # check just these pages (paths in the site); default every page of the notebooks
               searches:dict|None=None)->dict: # queries and a link each must find (default `SEARCHES`)
    "Open every page of `site` in headless Chromium at each of `WIDTHS`, search it and toggle its palette; return what was checked and the problems"
    if why := browser_missing(chromium): raise DocsError(f"Cannot check the site: {why}.")
    site = Path(site)
    pages = sorted(p for p in site.rglob('*.html') if p.relative_to(site).parts[0] not in ('src', 'search', 'assets')) if only is None else [site/p for p in only]
    if not pages: raise DocsError(f"No HTML pages in {site}: build the site first (python tools/build_docs.py).")
    httpd = _serve(site)
    try: # Playwright's sync API refuses to run in a thread with an asyncio loop (a notebook's), so it gets its own thread
        with concurrent.futures.ThreadPoolExecutor(1) as ex:
            return ex.submit(_browse, f'http://127.0.0.1:{httpd.server_address[1]}/', site, pages, shots, chromium,
                             SEARCHES if searches is None else searches).result()
    finally: httpd.shutdown()

_PAGE_FACTS = """() => ({
  imgs: [...document.querySelectorAll('article img')].map(e => [e.getAttribute('src').slice(0, 80), e.complete && e.naturalWidth > 0]),
  links: [...document.querySelectorAll('a[href]')].map(e => e.href),
  ids: [...document.querySelectorAll('[id]')].map(e => e.id),
  wrapped: [...document.querySelectorAll('article th')].filter(e => { const r = document.createRange(); r.selectNodeContents(e); // one word cut in two
            return /^\S+$/.test(e.textContent.trim()) && new Set([...r.getClientRects()].map(x => Math.round(x.top))).size > 1; }).map(e => e.textContent.trim()),
  code: document.querySelectorAll('article pre > code').length, copy: document.querySelectorAll('article .md-code__button[data-md-type="copy"], article .md-clipboard').length,
  cut: [...document.querySelectorAll('article .language-text pre > code')]
        .filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.textContent.slice(0, 60)),
})"""

def _check_page(page, base, site, rel, problems, desktop:bool, ids_of)->tuple:
    "Load one page; note what does not load, display, link (checked once, at the desktop width) or fit; return the internal links and images seen"
    resp = page.goto(base + rel, wait_until='load')
    if resp is None or not resp.ok: problems.append(f"{rel}: page did not load ({resp.status if resp else 'no response'})")
    f = page.evaluate(_PAGE_FACTS)
    problems += [f"{rel}: image does not display: {src}" for src, ok in f['imgs'] if not ok]
    dup = sorted({i for i in f['ids'] if f['ids'].count(i) > 1})
    if dup: problems.append(f"{rel}: duplicate ids {dup[:8]}")
    if desktop:
        problems += [f"{rel}: the one-word table header {t!r} is cut across lines" for t in f['wrapped']]
        problems += [f"{rel}: command block cut behind a scroll at 1280 px: {t!r}" for t in f['cut']]
        if f['code'] and not f['copy']: problems.append(f"{rel}: {f['code']} code blocks and no copy button")
    links = [h for h in f['links'] if h.startswith(base)]
    for href in links if desktop else (): # the same HTML at every width
        path, _, frag = href[len(base):].partition('#')
        if p := _link_problem(rel, site/urllib.parse.unquote(path or 'index.html'), path, frag, ids_of): problems.append(p)
    return len(links), len(f['imgs'])

def _page_ids(page:Path)->set:
    "The ids and anchor names a page's elements carry, as a browser reads them (entities decoded: an id of `a&amp;b` is `a&b`)"
    _, ids, names = _refs_ids(page.read_text(errors='ignore'))
    return set(ids) | set(names)

def _link_problem(rel:str, target:Path, path:str, frag:str, ids_of)->str|None:
    "What is wrong with page `rel`'s link to `path#frag` (the file `target`), or None; `ids_of(page)` gives a page's anchors"
    if target.is_dir(): target = target/'index.html'
    if not target.exists(): return f"{rel}: broken link to {path}"
    if frag and target.suffix == '.html' and not {frag, urllib.parse.unquote(frag)} & ids_of(target): # ids as written or percent-decoded
        return f"{rel}: link to a missing anchor {path}#{frag}"
    return None

def _overflow(page)->int:
    "How many pixels the page is wider than the window (0: no sideways scrolling)"
    return page.evaluate('document.documentElement.scrollWidth - window.innerWidth')

def _refs_ids(text:str)->tuple:
    "(links and image sources, ids, anchor names) of the elements of an HTML page, read by an HTML parser (text that looks like a tag is not one)"
    from html.parser import HTMLParser
    refs, ids, names = [], [], []
    class P(HTMLParser):
        def handle_starttag(self, tag, attrs):
            for k, v in attrs:
                if v is None: continue
                if k in ('href', 'src') and tag in ('a', 'img', 'link', 'script'): refs.append(v)
                elif k == 'id': ids.append(v)
                elif k == 'name' and tag == 'a': names.append(v)
    P(convert_charrefs=True).feed(text)
    return refs, ids, names

def check_links(site)->list:
    "Problems of a built site, read from its files (no browser): links and images to missing files or anchors, ids repeated on a page"
    site, probs, cache = Path(site), [], {}
    ids = lambda p: cache[p] if p in cache else cache.setdefault(p, _page_ids(p))
    for page in sorted(p for p in site.rglob('*.html') if p.name != '404.html'): # 404.html links from the server's root, wherever it is served
        rel = page.relative_to(site).as_posix()
        refs, all_ids, names = _refs_ids(page.read_text(errors='ignore'))
        cache[page] = set(all_ids) | set(names)
        if dup := sorted({i for i in all_ids if all_ids.count(i) > 1}): probs.append(f"{rel}: repeated ids {dup[:8]}")
        for ref in set(refs):
            if not ref or re.match(r'^(?:[a-z][\w+.-]*:|//)', ref): continue # another site, data:, mailto:, javascript:
            path, _, frag = ref.partition('#')
            target = (page.parent/urllib.parse.unquote(path.split('?')[0])).resolve() if path else page
            if p := _link_problem(rel, target, path, frag, ids): probs.append(p)
    return probs

def search_finds(page, url:str, query:str, expect:str)->bool:
    "Type `query` into Material's search box on the page at `url`; True when a result links to `expect`"
    page.goto(url, wait_until='load')
    page.click('input.md-search__input') # the search box of the top bar (at a desktop width it is shown, not behind a button)
    page.keyboard.type(query, delay=10) # typed as a reader types: Material searches on key events
    try: page.wait_for_selector('.md-search-result__link', timeout=10_000)
    except Exception: return False
    hits = [urllib.parse.urlsplit(h) for h in page.eval_on_selector_all('.md-search-result a', 'els => els.map(e => e.href)')]
    return any(f"{u.path}#{u.fragment}".endswith('/' + expect) for u in hits) # results carry ?h=<query> for highlighting

def palette_toggles(browser, url:str)->list:
    "Problems with the light/dark palette: a reader whose system is dark gets the dark palette, and the toggle switches to light and back"
    page = browser.new_page(viewport={'width': 1280, 'height': 900}, color_scheme='dark') # a fresh page: no palette remembered
    scheme = lambda: page.evaluate('document.body.getAttribute("data-md-color-scheme")')
    page.goto(url, wait_until='load')
    probs = [] if scheme() == 'slate' else [f"palette: a dark preference renders {scheme()!r}, not dark ('slate')"]
    for want in ('default', 'slate'):
        page.click('form[data-md-component="palette"] label:visible')
        if scheme() != want: probs.append(f"palette: the toggle gave {scheme()!r}, not {want!r}")
    page.close()
    return probs

def request_problem(rel:str, url:str, failure:str|None)->str|None:
    "The problem to report for a request of page `rel` that failed with Chromium's `failure` text, or None when it is no fault of the site"
    # net::ERR_ABORTED is the browser cancelling a request itself, as when the check moves on to the next page while Material
    # still fetches its search worker; a file the site lacks answers 404 and is reported from the response, not here
    return None if failure == 'net::ERR_ABORTED' else f"{rel}: request failed ({failure}): {url}"

def _browse(base, site, pages, shots, chromium, searches):
    from playwright.sync_api import sync_playwright
    problems, n_links, n_imgs, shots_written, cur = [], 0, 0, [], {}
    ids_of = functools.lru_cache(maxsize=None)(_page_ids) # each target page parsed once, not once per link to it
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(chromium), args=_CHROMIUM_ARGS)
        for wname, (w, h) in WIDTHS.items():
            page = browser.new_page(viewport={'width': w, 'height': h})
            page.on('pageerror', lambda e: problems.append(f"{cur['p']}: JavaScript error: {e}"))
            page.on('console', lambda m: m.type == 'error' and problems.append(f"{cur['p']}: console error: {m.text}"))
            page.on('requestfailed', lambda r: (msg := request_problem(cur['p'], r.url, r.failure)) and problems.append(msg))
            page.on('response', lambda r: r.status >= 400 and problems.append(f"{cur['p']}: HTTP {r.status} for {r.url}"))
            for p in pages:
                rel = p.relative_to(site).as_posix(); cur['p'] = rel
                links, imgs = _check_page(page, base, site, rel, problems, wname == 'desktop', ids_of)
                if wname == 'desktop': n_links, n_imgs = n_links + links, n_imgs + imgs
                if (over := _overflow(page)) > 1: problems.append(f"{rel}: {over} px wider than a {w} px window (sideways scrolling)")
            if shots is not None: shots_written += _screenshots(page, base, site, Path(shots), wname)
            if wname == 'desktop':
                cur['p'] = 'search'
                for q, expect in searches.items():
                    if not search_finds(page, base + 'index.html', q, expect): problems.append(f"search: typing {q!r} found no link to {expect}")
                cur['p'] = 'palette'; problems += palette_toggles(browser, base + pages[0].relative_to(site).as_posix())
            page.close()
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

def serve(site='_site', port:int=8000)->None:
    "Serve the built site on http://127.0.0.1:`port`/ until interrupted"
    import http.server
    if not (Path(site)/'index.html').exists(): raise DocsError(f"No site in {site}: build it first (python tools/build_docs.py).")
    print(f"Serving {site} on http://127.0.0.1:{port}/ (Ctrl-C stops)")
    with http.server.ThreadingHTTPServer(('127.0.0.1', port), functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))) as s:
        try: s.serve_forever()
        except KeyboardInterrupt: pass

def main(argv=None)->int:
    "Write README.md, build the docs site and optionally check it in a browser or serve it"
    p = argparse.ArgumentParser(prog='tools/build_docs.py', description='Build README.md and the docs site (Material for MkDocs) from the notebooks.')
    p.add_argument('--root', default='.', help='the project folder (default: here)')
    p.add_argument('--out', default='_site', help='site folder (default: _site)')
    p.add_argument('--no-run', action='store_true', help="don't run the library notebooks first (quicker; their pages then show no outputs)")
    p.add_argument('--check', action='store_true', help='then open every page in headless Chromium')
    p.add_argument('--serve', action='store_true', help='serve the site already built in --out (no build)')
    p.add_argument('--port', type=int, default=8000, help='port for --serve (default: 8000)')
    a = p.parse_args(argv)
    root = Path(a.root)
    try:
        if a.serve: serve(root/a.out, a.port); return 0
        print(f"Wrote {write_readme(root/'nbs'/'index.ipynb', root/'README.md')}")
        pages = build_site(root/'nbs', root/a.out, run=not a.no_run)
        print(f"Built the site: {len(pages)} pages in {root/a.out} (open {root/a.out/'index.html'}, or serve it: python tools/build_docs.py --serve)")
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
