"""A study's result: a tidy table of runs, its summary, figures, and how they are
written to an output folder (Markdown, CSV, JSON, PNG)."""
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

METRICS = ("auroc", "auprc", "epr")


def summarize(runs, by, metrics=METRICS):
    """Mean, sd and a 95% t-interval of the mean per group of runs (seeds)."""
    rows = []
    for key, group in runs.groupby(list(by), sort=False):
        row = dict(zip(by, key if isinstance(key, tuple) else (key,)))
        row["runs"] = len(group)
        for m in metrics:
            values = group[m].to_numpy(dtype=float)
            mean = values.mean()
            sd = values.std(ddof=1) if len(values) > 1 else np.nan
            half = stats.t.ppf(0.975, len(values) - 1) * sd / np.sqrt(len(values)) if len(values) > 1 else np.nan
            row.update({f"{m}_mean": mean, f"{m}_sd": sd, f"{m}_ci_low": mean - half, f"{m}_ci_high": mean + half})
        rows.append(row)
    return pd.DataFrame(rows)


def markdown_summary(summary, by, metrics=METRICS):
    """The summary as a Markdown table: mean +- sd [95% CI] per metric."""
    lines = ["| " + " | ".join([*by, "runs", *metrics]) + " |", "|" + "---|" * (len(by) + 1 + len(metrics))]
    for _, row in summary.iterrows():
        cells = [str(row[b]) for b in by] + [str(int(row["runs"]))]
        for m in metrics:
            if np.isnan(row[f"{m}_sd"]):
                cells.append(f"{row[f'{m}_mean']:.3f}")
            else:
                cells.append(
                    f"{row[f'{m}_mean']:.3f} ± {row[f'{m}_sd']:.3f} [{row[f'{m}_ci_low']:.3f}, {row[f'{m}_ci_high']:.3f}]"
                )
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


@dataclass
class StudyResult:
    name: str
    task: str
    runs: pd.DataFrame
    summary: pd.DataFrame
    markdown: str
    figures: dict = field(default_factory=dict)
    notes: dict = field(default_factory=dict)

    def save(self, output_dir):
        """Write ``<name>.md``, ``<name>_runs.csv``, ``<name>_summary.csv``,
        ``<name>.json`` and one PNG per figure; return the paths."""
        out = Path(output_dir)
        out.mkdir(parents=True, exist_ok=True)
        paths = [out / f"{self.name}.md", out / f"{self.name}_runs.csv", out / f"{self.name}_summary.csv",
                 out / f"{self.name}.json"]
        paths[0].write_text(f"# {self.name} ({self.task})\n\n{self.markdown}\n")
        self.runs.to_csv(paths[1], index=False)
        self.summary.to_csv(paths[2], index=False)
        paths[3].write_text(json.dumps({"study": self.name, "task": self.task, "notes": self.notes,
                                        "summary": self.summary.to_dict(orient="records")}, indent=2, default=float))
        for fig_name, fig in self.figures.items():
            path = out / f"{self.name}_{fig_name}.png"
            fig.savefig(path, dpi=120)
            paths.append(path)
        return paths
