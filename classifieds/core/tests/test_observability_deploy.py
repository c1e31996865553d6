"""deploy/prometheus/alerts.yml and deploy/grafana/bozor-dashboard.json name only what the app exports."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from prometheus_client.metrics import MetricWrapperBase

from classifieds.core.observability import metrics
from classifieds.core.observability.worker import QueueCollector

DEPLOY = Path(__file__).resolve().parents[3] / "deploy"
ALERTS = DEPLOY / "prometheus" / "alerts.yml"
DASHBOARD = DEPLOY / "grafana" / "bozor-dashboard.json"
RUNBOOK = DEPLOY / "runbooks" / "observability.md"
METRIC = re.compile(r"\b(bozor_[a-z0-9_]+)\b")
SELECTOR = re.compile(r"\b(bozor_[a-z0-9_]+)\{([^}]*)\}")
MATCHER = re.compile(r"([a-z_]+)\s*(?:=~|!~|!=|=)")
GO_DURATION = re.compile(r"^(\d+(ms|s|m|h|d|w|y))+$")
SUFFIXES = {"counter": ("_total",), "histogram": ("_bucket", "_sum", "_count"), "gauge": ("",)}


def exported() -> dict[str, set[str]]:
    """Every sample name the app exposes, with the labels it carries."""
    names: dict[str, set[str]] = {}
    for value in vars(metrics).values():
        if isinstance(value, MetricWrapperBase):
            labels = set(value._labelnames) | ({"le"} if value._type == "histogram" else set())
            for suffix in SUFFIXES[value._type]:
                names[f"{value._name}{suffix}"] = labels
    for family in QueueCollector().collect():
        names[family.name] = set()
    return names


def alert_rules() -> list[dict]:
    return [rule for group in yaml.safe_load(ALERTS.read_text())["groups"] for rule in group["rules"]]


def dashboard_exprs() -> list[str]:
    panels = json.loads(DASHBOARD.read_text())["panels"]
    return [target["expr"] for panel in panels for target in panel["targets"]]


def unknown_references(expr: str) -> list[str]:
    known = exported()
    found = [f"metric {name}" for name in METRIC.findall(expr) if name not in known]
    for name, matchers in SELECTOR.findall(expr):
        found += [
            f"label {label} of {name}" for label in MATCHER.findall(matchers) if label not in known.get(name, set())
        ]
    return found


@pytest.mark.django_db  # the queue collector reads the queue storage
class TestTheyNameWhatTheAppExports:
    def test_the_app_exports_what_they_need(self):
        assert {
            "bozor_http_request_duration_seconds_bucket",
            "bozor_http_responses_total",
            "bozor_huey_queue_length",
            "bozor_huey_queue_lag_seconds",
            "bozor_huey_tasks_total",
            "bozor_search_duration_seconds_bucket",
            "bozor_sms_total",
            "bozor_psp_calls_total",
        } <= set(exported())

    @pytest.mark.parametrize("source", ["alerts", "dashboard"])
    def test_every_expression_names_known_metrics_and_labels(self, source):
        exprs = [rule["expr"] for rule in alert_rules()] if source == "alerts" else dashboard_exprs()
        assert exprs
        for expr in exprs:
            assert METRIC.search(expr), f"names no metric of the app: {expr}"
            assert unknown_references(expr) == [], expr

    def test_the_check_catches_a_misspelt_metric_and_label(self):
        assert unknown_references("rate(bozor_http_responsez_total[5m])") == ["metric bozor_http_responsez_total"]
        assert unknown_references('bozor_sms_total{status="sent"}') == ["label status of bozor_sms_total"]


class TestAlertRules:
    def test_they_cover_the_service_levels(self):
        rules = {rule["alert"]: rule for rule in alert_rules()}
        srp = rules["BozorSearchResultsSlow"]["expr"]
        assert "histogram_quantile(0.95" in srp and srp.strip().endswith("> 0.5")
        assert "search:results" in srp and "search:category" in srp
        assert rules["BozorErrorRateHigh"]["expr"].strip().endswith("> 0.01")
        assert "bozor_huey_queue_lag_seconds" in rules["BozorQueueLagging"]["expr"]
        assert "bozor_sms_total" in rules["BozorSmsFailing"]["expr"]
        assert "bozor_psp_calls_total" in rules["BozorPaymentWebhooksFailing"]["expr"]

    def test_each_rule_is_complete(self):
        runbook = RUNBOOK.read_text()
        anchors = {
            re.sub(r"[^a-z0-9 -]", "", line[3:].strip().lower()).replace(" ", "-")
            for line in runbook.splitlines()
            if line.startswith("## ")
        }
        for rule in alert_rules():
            assert rule["labels"]["severity"] in {"warning", "critical"}, rule["alert"]
            assert rule["annotations"]["summary"], rule["alert"]
            assert GO_DURATION.match(rule.get("for", "0s")), rule["alert"]
            path, _sep, anchor = rule["annotations"]["runbook"].partition("#")
            assert (DEPLOY.parent / path).exists() and anchor in anchors, rule["alert"]

    def test_the_scrape_config_loads_them(self):
        config = yaml.safe_load((DEPLOY / "prometheus" / "prometheus.yml").read_text())
        assert config["rule_files"] == ["alerts.yml"]
        assert config["scrape_configs"][0]["metrics_path"] == "/metrics"


class TestDashboard:
    def test_it_is_a_dashboard_with_unique_panels(self):
        dashboard = json.loads(DASHBOARD.read_text())
        ids = [panel["id"] for panel in dashboard["panels"]]
        assert len(ids) == len(set(ids))
        assert dashboard["uid"] and dashboard["title"]
        for panel in dashboard["panels"]:
            assert panel["targets"] and all(target["refId"] for target in panel["targets"])

    def test_it_shows_the_service_levels(self):
        exprs = "\n".join(dashboard_exprs())
        for metric in ("bozor_http_request_duration_seconds_bucket", "bozor_huey_queue_lag_seconds", "bozor_sms_total"):
            assert metric in exprs
        assert "bozor_psp_calls_total" in exprs and 'status="5xx"' in exprs
