"""The application layer: what the commands do, as library calls.

- :func:`infer` (``grnfast infer``): inputs to ranked networks, evaluated;
- :func:`run_benchmark` / :func:`evaluate_benchmark` (``grnfast evaluate``): a
  BEELINE benchmark's split samples under a protocol;
- the networks written: each model's weights calibrated on validation pairs
  (:func:`fit_calibration`), ranked, cut and signed (:func:`network_edges`);
- the pieces they share: models trained by name (:func:`train_models`,
  :func:`train`), the report table (:func:`report_table`), the recommendation
  on validation pairs and the closing summary.
"""
from .benchmark import PROTOCOLS, BenchmarkResult, benchmark_task, evaluate_benchmark, run_benchmark
from .calibration import EdgeCalibration, fit_calibration
from .inference import InferResult, infer
from .networks import network_edges
from .outputs import check_outputs, writable_folder
from .report import TimesDegree, format_report, report_table
from .summary import StepTimes, format_summary, recommendation
from .training import dask_client, model_names, stop_reason, train, train_models

__all__ = ["PROTOCOLS", "BenchmarkResult", "EdgeCalibration", "InferResult", "StepTimes", "TimesDegree",
           "benchmark_task", "check_outputs", "dask_client", "evaluate_benchmark", "fit_calibration",
           "format_report", "format_summary", "infer", "model_names", "network_edges", "recommendation",
           "report_table", "run_benchmark", "stop_reason", "train", "train_models", "writable_folder"]
