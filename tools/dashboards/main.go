// Command dashboards writes Todo's Grafana dashboards (deploy/monitoring/dashboards/*.json) and
// the list of every query they and the alert rules run (deploy/monitoring/queries.json), with
// the Grafana Foundation SDK (docs/deploy/monitoring.md, docs/decisions/0053-monitoring.md).
//
// Usage (from tools/dashboards): go run . -rules ../../deploy/monitoring/rules -out DIR
//
// DIR receives dashboards/<name>.json and queries.json. The output is deterministic: the same
// sources give the same bytes (scripts/test-monitoring.sh regenerates and compares).
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/cog/variants"
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/prometheus"
	"github.com/grafana/grafana-foundation-sdk/go/stat"
	"github.com/grafana/grafana-foundation-sdk/go/timeseries"
	"gopkg.in/yaml.v3"
)

// Query is one entry of queries.json: what the cluster tier runs against a real Prometheus
// (every one must return data). Requires names what must run beside the app for the series
// to exist (an exporter, kube-state-metrics, LLM mode); empty: the app and its sidecars alone.
type Query struct {
	Source   string `json:"source"`
	Expr     string `json:"expr"`
	Requires string `json:"requires,omitempty"`
}

// rateWindow replaces Grafana's $__rate_interval in queries.json: Prometheus itself does not
// know the variable; 5m covers several scrapes at any interval up to 1m.
const rateWindow = "5m"

func main() {
	rules := flag.String("rules", "../../deploy/monitoring/rules", "folder of Prometheus rule files")
	out := flag.String("out", "../../deploy/monitoring", "output folder")
	flag.Parse()
	if err := run(*rules, *out); err != nil {
		fmt.Fprintln(os.Stderr, "dashboards:", err)
		os.Exit(1)
	}
}

func run(rulesDir, out string) error {
	var queries []Query
	if err := os.MkdirAll(filepath.Join(out, "dashboards"), 0o755); err != nil {
		return err
	}
	for _, d := range dashboards() {
		b, qs, err := build(d)
		if err != nil {
			return fmt.Errorf("%s: %w", d.name, err)
		}
		if err := os.WriteFile(filepath.Join(out, "dashboards", d.name+".json"), b, 0o644); err != nil {
			return err
		}
		queries = append(queries, qs...)
	}
	alerts, err := alertQueries(rulesDir)
	if err != nil {
		return err
	}
	queries = append(queries, alerts...)
	return writeJSON(filepath.Join(out, "queries.json"), queries)
}

func writeJSON(path string, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

// build turns one dashboard definition into its JSON and its queries.
func build(d dash) ([]byte, []Query, error) {
	dsType, dsUID := "prometheus", "${datasource}"
	ds := common.DataSourceRef{Type: &dsType, Uid: &dsUID}
	b := dashboard.NewDashboardBuilder(d.title).
		Uid(d.uid).
		Description(d.description).
		Tags([]string{"todo"}).
		Refresh("30s").
		Time("now-3h", "now").
		Timezone(common.TimeZoneBrowser).
		Tooltip(dashboard.DashboardCursorSyncCrosshair).
		WithVariable(dashboard.NewDatasourceVariableBuilder("datasource").
			Label("Data source").
			Type("prometheus"))
	var queries []Query
	id := uint32(1)
	for _, r := range d.rows {
		b = b.WithRow(dashboard.NewRowBuilder(r.title).Id(id))
		id++
		for _, p := range r.panels {
			requires := p.requires
			if requires == "" {
				requires = d.requires
			}
			var targets []cog.Builder[variants.Dataquery]
			for i, t := range p.targets {
				targets = append(targets, prometheus.NewDataqueryBuilder().
					Datasource(ds).
					RefId(string(rune('A'+i))).
					Expr(t.expr).
					LegendFormat(t.legend))
				queries = append(queries, Query{
					Source:   fmt.Sprintf("dashboard:%s/panel:%s", d.uid, p.title),
					Expr:     strings.ReplaceAll(t.expr, "$__rate_interval", rateWindow),
					Requires: requires,
				})
			}
			b = b.WithPanel(panel(p, id, ds, targets))
			id++
		}
	}
	built, err := b.Build()
	if err != nil {
		return nil, nil, err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(built); err != nil {
		return nil, nil, err
	}
	return buf.Bytes(), queries, nil
}

func panel(p pnl, id uint32, ds common.DataSourceRef, targets []cog.Builder[variants.Dataquery]) cog.Builder[dashboard.Panel] {
	if p.kind == "stat" {
		return stat.NewPanelBuilder().
			Id(id).Title(p.title).Description(p.description).Datasource(ds).
			Unit(p.unit).Height(6).Span(6).
			GraphMode(common.BigValueGraphModeArea).
			ColorMode(common.BigValueColorModeValue).
			ReduceOptions(common.NewReduceDataOptionsBuilder().Calcs([]string{"lastNotNull"})).
			Targets(targets)
	}
	return timeseries.NewPanelBuilder().
		Id(id).Title(p.title).Description(p.description).Datasource(ds).
		Unit(p.unit).Min(0).Height(8).Span(12).FillOpacity(10).
		Legend(common.NewVizLegendOptionsBuilder().
			ShowLegend(true).
			DisplayMode(common.LegendDisplayModeList).
			Placement(common.LegendPlacementBottom)).
		Targets(targets)
}

// thresholdRe matches a comparison with a number, the threshold an alert adds to its series.
var thresholdRe = regexp.MustCompile(`\s*(==|!=|>=|<=|>|<)\s*-?[0-9][0-9.eE+-]*`)

type ruleFile struct {
	Groups []struct {
		Name  string `yaml:"name"`
		Rules []struct {
			Alert  string            `yaml:"alert"`
			Expr   string            `yaml:"expr"`
			Labels map[string]string `yaml:"labels"`
		} `yaml:"rules"`
	} `yaml:"groups"`
}

// alertQueries lists every alert's expression without its threshold comparisons: the series
// the alert watches, which must exist in a running system.
func alertQueries(dir string) ([]Query, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	var qs []Query
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		var rf ruleFile
		if err := yaml.Unmarshal(raw, &rf); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		for _, g := range rf.Groups {
			for _, r := range g.Rules {
				if r.Alert == "" {
					continue
				}
				expr := strings.Join(strings.Fields(r.Expr), " ")
				qs = append(qs, Query{
					Source:   "alert:" + r.Alert,
					Expr:     thresholdRe.ReplaceAllString(expr, ""),
					Requires: r.Labels["requires"],
				})
			}
		}
	}
	return qs, nil
}
