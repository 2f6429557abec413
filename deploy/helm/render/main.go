// Command render renders a Helm chart's templates the way `helm template` does, for machines
// where helm itself cannot be installed (CI here). It uses Go's text/template — the engine Helm
// is built on — with Helm's objects (.Values, .Release, .Chart, .Capabilities, .Template) and
// exactly the Helm and sprig functions the Miroir chart uses, with their semantics. A template
// calling any other function fails to parse, so the chart cannot drift onto functions this
// renderer does not know.
//
// It is a check, not a replacement: operators run `helm lint` and `helm template`.
//
// Usage:
//
//	go run . -chart ../miroir -input render-input.json [-notes NOTES_OUT]
//
// The input is one JSON object: {"chart": <Chart.yaml as JSON>, "values": <merged values>,
// "release": {"name": ..., "namespace": ...}}. Values must already be merged (defaults then
// overrides) and validated against values.schema.json: helm does both before rendering, and so
// does the test that drives this program. The output is the manifests, each preceded by
// `---` and `# Source: <chart>/templates/<file>` like `helm template`; files that render to
// whitespace only are left out. Exit status 1 on any error (a `fail` call included), with the
// error on stderr.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/template"
)

// input is what the caller hands over: the chart's metadata, the merged values and the release.
type input struct {
	Chart   map[string]interface{} `json:"chart"`
	Values  map[string]interface{} `json:"values"`
	Release struct {
		Name      string `json:"name"`
		Namespace string `json:"namespace"`
	} `json:"release"`
}

// chartFields maps Chart.yaml keys to the field names templates use (`.Chart.AppVersion`).
var chartFields = map[string]string{
	"apiVersion":  "APIVersion",
	"name":        "Name",
	"version":     "Version",
	"appVersion":  "AppVersion",
	"description": "Description",
	"type":        "Type",
	"kubeVersion": "KubeVersion",
	"keywords":    "Keywords",
	"home":        "Home",
	"sources":     "Sources",
	"maintainers": "Maintainers",
	"icon":        "Icon",
	"annotations": "Annotations",
	"deprecated":  "Deprecated",
}

func main() {
	chartDir := flag.String("chart", "", "chart directory (holds templates/)")
	inputPath := flag.String("input", "", "JSON file with chart, values and release")
	notesPath := flag.String("notes", "", "write the rendered NOTES.txt to this file")
	flag.Parse()
	if *chartDir == "" || *inputPath == "" {
		fmt.Fprintln(os.Stderr, "render: -chart and -input are required")
		os.Exit(2)
	}
	manifests, notes, err := render(*chartDir, *inputPath)
	if err != nil {
		fmt.Fprintf(os.Stderr, "render: %v\n", err)
		os.Exit(1)
	}
	if *notesPath != "" {
		if err := os.WriteFile(*notesPath, []byte(notes), 0o644); err != nil {
			fmt.Fprintf(os.Stderr, "render: %v\n", err)
			os.Exit(1)
		}
	}
	fmt.Print(manifests)
}

// render parses every file of templates/ into one template set (so `define`s are shared, as in
// Helm) and executes each non-partial file.
func render(chartDir, inputPath string) (string, string, error) {
	raw, err := os.ReadFile(inputPath)
	if err != nil {
		return "", "", err
	}
	var in input
	decoder := json.NewDecoder(bytes.NewReader(raw))
	decoder.DisallowUnknownFields()
	if err := decoder.Decode(&in); err != nil {
		return "", "", fmt.Errorf("input %s: %w", inputPath, err)
	}
	chart, err := chartObject(in.Chart)
	if err != nil {
		return "", "", err
	}
	chartName, _ := chart["Name"].(string)
	if chartName == "" || in.Release.Name == "" || in.Release.Namespace == "" {
		return "", "", errors.New("the chart name, release name and namespace must be set")
	}

	templatesDir := filepath.Join(chartDir, "templates")
	entries, err := os.ReadDir(templatesDir)
	if err != nil {
		return "", "", err
	}
	basePath := chartName + "/templates"
	root := template.New("gotpl")
	// Like `helm lint --strict`: a missing map key is an error, not "<no value>".
	root.Option("missingkey=error")
	root.Funcs(funcMap(root))
	var names []string
	for _, entry := range entries {
		if entry.IsDir() {
			continue
		}
		text, err := os.ReadFile(filepath.Join(templatesDir, entry.Name()))
		if err != nil {
			return "", "", err
		}
		name := basePath + "/" + entry.Name()
		if _, err := root.New(name).Parse(string(text)); err != nil {
			return "", "", err
		}
		names = append(names, name)
	}
	sort.Strings(names)

	var manifests strings.Builder
	notes := ""
	for _, name := range names {
		file := filepath.Base(name)
		if strings.HasPrefix(file, "_") {
			continue
		}
		data := map[string]interface{}{
			"Values":  in.Values,
			"Chart":   chart,
			"Release": releaseObject(in.Release.Name, in.Release.Namespace),
			"Capabilities": map[string]interface{}{
				"KubeVersion": map[string]interface{}{"Version": "v1.31.0", "Major": "1", "Minor": "31"},
			},
			"Template": map[string]interface{}{"Name": name, "BasePath": basePath},
		}
		var out bytes.Buffer
		if err := root.ExecuteTemplate(&out, name, data); err != nil {
			return "", "", err
		}
		if file == "NOTES.txt" {
			notes = out.String()
			continue
		}
		if strings.TrimSpace(out.String()) == "" {
			continue
		}
		fmt.Fprintf(&manifests, "---\n# Source: %s\n%s\n", name, strings.TrimRight(out.String(), "\n"))
	}
	return manifests.String(), notes, nil
}

// chartObject is `.Chart`: Chart.yaml with Helm's field names. An unknown key is an error.
func chartObject(metadata map[string]interface{}) (map[string]interface{}, error) {
	chart := map[string]interface{}{}
	for key, value := range metadata {
		field, known := chartFields[key]
		if !known {
			return nil, fmt.Errorf("Chart.yaml: unknown field %q", key)
		}
		chart[field] = value
	}
	return chart, nil
}

// releaseObject is `.Release` for a first install.
func releaseObject(name, namespace string) map[string]interface{} {
	return map[string]interface{}{
		"Name":      name,
		"Namespace": namespace,
		"Service":   "Helm",
		"Revision":  1,
		"IsInstall": true,
		"IsUpgrade": false,
	}
}
