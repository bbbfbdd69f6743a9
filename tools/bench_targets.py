"""The project's speed targets, judged against a benchmark run: `python tools/bench_targets.py fastseg-bench/bench.json`.

Repository tooling, not library: the goals are this project's (the course's GPU sizes), so they do not ship in the
`fastseg` package; `fastseg bench` measures, this script judges. The `44_bench` notebook tests it."""
import json, sys
from pathlib import Path
from fastseg.report import md_table # not fastseg.bench: judging a results file needs neither PyTorch nor fastai

TARGETS = [ # (name, what is measured, how to find the row, goal, higher is better)
    ('ICNet 1024x2048 fp16 batch 1', 'fps', ('infer', dict(arch='icnet', size=[1024, 2048], bs=1, precision='fp16')), 300, True),
    ('U-Net ResNet34 training 360x480 bf16 channels-last', 'images_per_s',
     ('train', dict(arch='unet', backbone='resnet34', size=[360, 480], precision='bf16', channels_last=True)), 1000, True),
    ('ResNet-FCN tiled 3072x3072 single-channel', 'ms', ('tiled', dict(arch='fcn_resnet', size=[3072, 3072])), 50, False),
]

def _match(row, want): return 'error' not in row and all(row.get(k) == v for k, v in want.items())

def check_targets(res:dict)->list:
    "Each speed target with the best matching measurement, met or missed and by how much"
    out = []
    for name, key, (part, want), goal, higher in TARGETS:
        vals = [r[key] for r in res.get(part, []) if _match(r, want)]
        if not vals: out.append(dict(target=name, goal=goal, measured=None, met=None, note='not measured on this device')); continue
        v = max(vals) if higher else min(vals)
        met = v >= goal if higher else v <= goal
        out.append(dict(target=name, goal=goal, measured=v, met=met,
                        note='met' if met else f"missed by {abs(goal - v) / goal:.0%} ({v} vs {goal})"))
    return out

def targets_markdown(res:dict)->str:
    "The targets as a Markdown table headed by the device the run was made on"
    rows = check_targets(res)
    return (f"## Targets (device: {res.get('device', 'unknown')})\n\n" +
            md_table(['target', 'goal', 'measured', 'result'], [[r['target'], r['goal'], '' if r['measured'] is None else r['measured'], r['note']]
                                                                for r in rows]) + '\n')

def main(argv=None)->int:
    args = sys.argv[1:] if argv is None else argv
    fn = Path(args[0] if args else 'fastseg-bench/bench.json')
    if not fn.is_file():
        print(f"No benchmark results at {fn}: run `fastseg bench --out DIR` first and pass DIR/bench.json.", file=sys.stderr)
        return 2
    print(targets_markdown(json.loads(fn.read_text())))
    return 0

if __name__ == '__main__': sys.exit(main())
