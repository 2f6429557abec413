package main

// toYaml: Helm's function, which marshals a value to block YAML (keys sorted, lists under a key
// not indented, no trailing newline). Strings that YAML could read as something else (numbers,
// booleans, null, anything with special characters) are written double-quoted, which reads back
// as the same string; Helm quotes a subset of those, so the text may differ but never the data.

import (
	"encoding/json"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

func toYaml(value interface{}) string {
	return strings.Join(yamlLines(value), "\n")
}

// yamlLines renders a value as lines without the surrounding indentation.
func yamlLines(value interface{}) []string {
	switch typed := value.(type) {
	case map[string]interface{}:
		if len(typed) == 0 {
			return []string{"{}"}
		}
		keys := make([]string, 0, len(typed))
		for key := range typed {
			keys = append(keys, key)
		}
		sort.Strings(keys)
		var lines []string
		for _, key := range keys {
			child := typed[key]
			if !isCollection(child) {
				lines = append(lines, yamlString(key)+": "+yamlLines(child)[0])
				continue
			}
			lines = append(lines, yamlString(key)+":")
			// Like go-yaml: a mapping is indented under its key, a sequence is not.
			childIndent := "  "
			if _, isList := child.([]interface{}); isList {
				childIndent = ""
			}
			for _, line := range yamlLines(child) {
				lines = append(lines, childIndent+line)
			}
		}
		return lines
	case []interface{}:
		if len(typed) == 0 {
			return []string{"[]"}
		}
		var lines []string
		for _, item := range typed {
			for index, line := range yamlLines(item) {
				if index == 0 {
					lines = append(lines, "- "+line)
				} else {
					lines = append(lines, "  "+line)
				}
			}
		}
		return lines
	case []int:
		items := make([]interface{}, len(typed))
		for index, item := range typed {
			items[index] = item
		}
		return yamlLines(items)
	}
	return []string{yamlScalar(value)}
}

// isCollection: a non-empty mapping or sequence, written on the lines below its key.
func isCollection(value interface{}) bool {
	switch typed := value.(type) {
	case map[string]interface{}:
		return len(typed) > 0
	case []interface{}:
		return len(typed) > 0
	case []int:
		return len(typed) > 0
	}
	return false
}

func yamlScalar(value interface{}) string {
	switch typed := value.(type) {
	case nil:
		return "null"
	case bool:
		return strconv.FormatBool(typed)
	case string:
		return yamlString(typed)
	case float64:
		if typed == math.Trunc(typed) && math.Abs(typed) < 1e15 {
			return strconv.FormatInt(int64(typed), 10)
		}
		return strconv.FormatFloat(typed, 'g', -1, 64)
	case int:
		return strconv.Itoa(typed)
	case int64:
		return strconv.FormatInt(typed, 10)
	}
	// Anything else goes through JSON, which YAML reads.
	encoded, err := json.Marshal(value)
	if err != nil {
		return "null"
	}
	return string(encoded)
}

// plainSafe: strings YAML reads back as themselves when written without quotes.
var plainSafe = regexp.MustCompile(`^[A-Za-z_/][A-Za-z0-9_./-]*$`)

// plainAmbiguous: plain words YAML 1.1 (go-yaml) reads as booleans or null.
var plainAmbiguous = map[string]bool{
	"y": true, "yes": true, "n": true, "no": true, "true": true, "false": true,
	"on": true, "off": true, "null": true, "~": true,
}

func yamlString(text string) string {
	if plainSafe.MatchString(text) && !plainAmbiguous[strings.ToLower(text)] {
		return text
	}
	// A JSON string is a valid YAML double-quoted scalar with the same value.
	encoded, err := json.Marshal(text)
	if err != nil {
		return `""`
	}
	return string(encoded)
}
