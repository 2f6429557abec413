package main

// The template functions: Helm's `include` and the sprig functions the chart calls, each with
// sprig's semantics (argument order, conversions, empty values).

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"text/template"
)

func funcMap(root *template.Template) template.FuncMap {
	return template.FuncMap{
		// Helm: execute a named template into a string, so it can be piped.
		"include": func(name string, data interface{}) (string, error) {
			var out bytes.Buffer
			err := root.ExecuteTemplate(&out, name, data)
			return out.String(), err
		},
		"toYaml": toYaml,
		// sprig: strings.
		"quote": func(values ...interface{}) string {
			quoted := make([]string, 0, len(values))
			for _, value := range values {
				if value != nil {
					quoted = append(quoted, fmt.Sprintf("%q", stringValue(value)))
				}
			}
			return strings.Join(quoted, " ")
		},
		"trunc":      trunc,
		"trimSuffix": func(suffix, text string) string { return strings.TrimSuffix(text, suffix) },
		"contains":   func(needle, haystack string) bool { return strings.Contains(haystack, needle) },
		"replace":    func(old, new, text string) string { return strings.ReplaceAll(text, old, new) },
		"indent":     indent,
		"nindent":    func(spaces int, text string) string { return "\n" + indent(spaces, text) },
		"sha256sum": func(text string) string {
			sum := sha256.Sum256([]byte(text))
			return hex.EncodeToString(sum[:])
		},
		// sprig: defaults and failures.
		"default": func(fallback interface{}, given ...interface{}) interface{} {
			if len(given) == 0 || isEmpty(given[0]) {
				return fallback
			}
			return given[0]
		},
		"fail": func(message string) (string, error) { return "", errors.New(message) },
		// sprig: collections.
		"dict": func(pairs ...interface{}) map[string]interface{} {
			dict := map[string]interface{}{}
			for index := 0; index+1 < len(pairs); index += 2 {
				dict[stringValue(pairs[index])] = pairs[index+1]
			}
			return dict
		},
		"until": func(count int) []int {
			sequence := make([]int, 0, count)
			for index := 0; index < count; index++ {
				sequence = append(sequence, index)
			}
			return sequence
		},
		// sprig: integer arithmetic (results are int64, as in sprig).
		"int": func(value interface{}) int { return int(toInt64(value)) },
		"add": func(values ...interface{}) int64 {
			var sum int64
			for _, value := range values {
				sum += toInt64(value)
			}
			return sum
		},
		"mul": func(first interface{}, rest ...interface{}) int64 {
			product := toInt64(first)
			for _, value := range rest {
				product *= toInt64(value)
			}
			return product
		},
		"div": func(a, b interface{}) int64 { return toInt64(a) / toInt64(b) },
		"mod": func(a, b interface{}) int64 { return toInt64(a) % toInt64(b) },
	}
}

// trunc is sprig's: a negative length keeps the end of the string.
func trunc(length int, text string) string {
	if length < 0 && len(text)+length > 0 {
		return text[len(text)+length:]
	}
	if length >= 0 && len(text) > length {
		return text[:length]
	}
	return text
}

func indent(spaces int, text string) string {
	pad := strings.Repeat(" ", spaces)
	return pad + strings.ReplaceAll(text, "\n", "\n"+pad)
}

// isEmpty is sprig's notion of empty: nil, zero numbers, false, "" and empty collections.
func isEmpty(value interface{}) bool {
	if value == nil {
		return true
	}
	reflected := reflect.ValueOf(value)
	switch reflected.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return reflected.Len() == 0
	case reflect.Bool:
		return !reflected.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return reflected.Int() == 0
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return reflected.Uint() == 0
	case reflect.Float32, reflect.Float64:
		return reflected.Float() == 0
	case reflect.Ptr, reflect.Interface:
		return reflected.IsNil()
	}
	return false
}

// toInt64 converts like sprig (through spf13/cast): numbers truncate, strings parse (0 when
// they do not), booleans are 0 or 1, anything else is 0.
func toInt64(value interface{}) int64 {
	switch typed := value.(type) {
	case int:
		return int64(typed)
	case int64:
		return typed
	case int32:
		return int64(typed)
	case float64:
		return int64(typed)
	case float32:
		return int64(typed)
	case bool:
		if typed {
			return 1
		}
		return 0
	case string:
		parsed, err := strconv.ParseInt(strings.TrimSpace(typed), 0, 64)
		if err != nil {
			return 0
		}
		return parsed
	}
	return 0
}

// stringValue is sprig's strval.
func stringValue(value interface{}) string {
	switch typed := value.(type) {
	case string:
		return typed
	case []byte:
		return string(typed)
	case fmt.Stringer:
		return typed.String()
	case error:
		return typed.Error()
	}
	return fmt.Sprintf("%v", value)
}
