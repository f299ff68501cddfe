"""A study's result: a tidy table of runs, its summary, figures, and how they are
written to an output folder (Markdown, CSV, JSON, PNG)."""
import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..evaluation.report import format_mean_sd, markdown_table, summarize_runs

METRICS = ("auroc", "auprc", "epr")
# A study reports each metric's mean over seeds, its sd and its 95% interval.
STATS = ("mean", "sd", "ci_low", "ci_high")


def summarize(runs, by, metrics=METRICS):
    """One row per group of runs (seeds): their number (``runs``) and each
    metric's mean, sd and 95% t-interval of the mean (``<metric>_<stat>``)."""
    return summarize_runs(runs, by, metrics, stats=STATS, wide=True)


def markdown_summary(summary, by, metrics=METRICS):
    """The summary as a Markdown table: mean ± sd [95% CI] per metric."""
    cells = summary[list(by)].astype(str)
    cells["runs"] = summary["runs"].astype(int).astype(str)
    for m in metrics:
        cells[m] = [format_mean_sd(mean, sd, interval=(low, high)) for mean, sd, low, high
                    in summary[[f"{m}_{stat}" for stat in STATS]].itertuples(index=False)]
    return markdown_table(cells)


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
