package odata_test

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/graph-emulator/graph-emulator/odata"
)

func TestFormatETag(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		version uint64
		want    string
	}{
		{0, `W/"0"`}, {1, `W/"1"`}, {42, `W/"42"`}, {math.MaxUint64, `W/"18446744073709551615"`},
	} {
		if got := odata.FormatETag(tt.version); got != tt.want {
			t.Errorf("FormatETag(%d) = %s, want %s", tt.version, got, tt.want)
		}
		if v, ok := odata.ETagVersion(tt.want); !ok || v != tt.version {
			t.Errorf("ETagVersion(%s) = %d, %v", tt.want, v, ok)
		}
	}
}

func TestETagVersion(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		tag     string
		version uint64
		ok      bool
	}{
		{`W/"7"`, 7, true},
		{`"7"`, 7, true},
		{`W/"07"`, 0, false},
		{`W/"+7"`, 0, false},
		{`W/"-7"`, 0, false},
		{`W/""`, 0, false},
		{`W/"abc"`, 0, false},
		{`W/"18446744073709551616"`, 0, false},
		{`W/7`, 0, false},
		{`w/"7"`, 0, false},
		{``, 0, false},
		{`"`, 0, false},
	} {
		if v, ok := odata.ETagVersion(tt.tag); v != tt.version || ok != tt.ok {
			t.Errorf("ETagVersion(%q) = %d, %v; want %d, %v", tt.tag, v, ok, tt.version, tt.ok)
		}
	}
}

func TestParseETags(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		header   string
		tags     []string
		matchAny bool
		bad      bool
	}{
		{name: "absent", header: ""},
		{name: "blank", header: " \t "},
		{name: "star", header: "*", matchAny: true},
		{name: "star with spaces", header: "  *\t", matchAny: true},
		{name: "one weak tag", header: `W/"1"`, tags: []string{`W/"1"`}},
		{name: "one strong tag", header: `"abc"`, tags: []string{`"abc"`}},
		{name: "empty opaque tag", header: `""`, tags: []string{`""`}},
		{name: "list", header: `W/"1", "2",W/"x"`, tags: []string{`W/"1"`, `"2"`, `W/"x"`}},
		{name: "empty elements", header: `, W/"1" ,, "2" ,`, tags: []string{`W/"1"`, `"2"`}},
		{name: "tabs", header: "\tW/\"1\"\t,\t\"2\"", tags: []string{`W/"1"`, `"2"`}},
		{name: "comma inside a tag", header: `"a,b", "c"`, tags: []string{`"a,b"`, `"c"`}},
		{name: "graph-like tag", header: `W/"CQAAABYAAAD+/=="`, tags: []string{`W/"CQAAABYAAAD+/=="`}},
		{name: "obs-text", header: "\"\xe9t\xe9\"", tags: []string{"\"\xe9t\xe9\""}},
		{name: "duplicates kept", header: `"1", "1"`, tags: []string{`"1"`, `"1"`}},

		{name: "only commas", header: " , ,", bad: true},
		{name: "unquoted", header: `1`, bad: true},
		{name: "unquoted weak", header: `W/1`, bad: true},
		{name: "lower-case weak indicator", header: `w/"1"`, bad: true},
		{name: "unterminated", header: `"1`, bad: true},
		{name: "space inside", header: `"a b"`, bad: true},
		{name: "quote inside", header: `"a"b"`, bad: true},
		{name: "control inside", header: "\"a\x01\"", bad: true},
		{name: "missing comma", header: `"1" "2"`, bad: true},
		{name: "star in a list", header: `*, "1"`, bad: true},
		{name: "tag then star", header: `"1", *`, bad: true},
		{name: "two stars", header: `*, *`, bad: true},
		{name: "space after W", header: `W/ "1"`, bad: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tags, matchAny, err := odata.ParseETags(tt.header)
			if tt.bad {
				var oe *odata.Error
				if !errors.As(err, &oe) || oe.Status != 400 || oe.Code != "BadRequest" || tags != nil || matchAny {
					t.Fatalf("ParseETags(%q) = %q, %v, %v; want a 400 BadRequest", tt.header, tags, matchAny, err)
				}
				return
			}
			if err != nil || matchAny != tt.matchAny || !slices.Equal(tags, tt.tags) {
				t.Fatalf("ParseETags(%q) = %q, %v, %v; want %q, %v", tt.header, tags, matchAny, err, tt.tags, tt.matchAny)
			}
		})
	}
}

func TestMatchETag(t *testing.T) {
	t.Parallel()
	tags := []string{`W/"1"`, `"2"`}
	for _, tt := range []struct {
		etag string
		want bool
	}{
		{`W/"1"`, true}, {`"1"`, true}, {`W/"2"`, true}, {`"2"`, true}, {`W/"3"`, false}, {`1`, false}, {``, false},
	} {
		if got := odata.MatchETag(tags, tt.etag); got != tt.want {
			t.Errorf("MatchETag(%q, %s) = %v", tags, tt.etag, got)
		}
	}
	if odata.MatchETag(nil, `W/"1"`) {
		t.Error("MatchETag(nil) = true")
	}
}

// FuzzParseETags: ParseETags never panics; it fails only with a 400 BadRequest; what it
// accepts is "*" alone or well-formed tags that, joined again, parse to the same list;
// a version's tag from FormatETag parses back to it and matches itself.
func FuzzParseETags(f *testing.F) {
	for _, seed := range []string{"", "*", `W/"1"`, `"a", W/"b"`, `,,`, `*, "1"`, `"1" "2"`, "\"\xff\"", `W/""`} {
		f.Add(seed, uint64(7))
	}
	f.Fuzz(func(t *testing.T, header string, version uint64) {
		tags, matchAny, err := odata.ParseETags(header)
		if err != nil {
			var oe *odata.Error
			if !errors.As(err, &oe) || oe.Status != 400 || oe.Code != "BadRequest" || tags != nil || matchAny {
				t.Fatalf("ParseETags(%q) = %q, %v, %v", header, tags, matchAny, err)
			}
		} else {
			trimmed := strings.Trim(header, " \t")
			if matchAny != (trimmed == "*") || matchAny && tags != nil || trimmed == "" && (tags != nil || matchAny) {
				t.Fatalf("ParseETags(%q) = %q, %v", header, tags, matchAny)
			}
			for _, tag := range tags {
				if !strings.Contains(header, tag) || !wellFormedTag(tag) {
					t.Fatalf("ParseETags(%q): tag %q", header, tag)
				}
				if !odata.MatchETag(tags, tag) {
					t.Fatalf("tag %q does not match its own list", tag)
				}
			}
			if len(tags) > 0 {
				again, any2, err := odata.ParseETags(strings.Join(tags, ", "))
				if err != nil || any2 || !slices.Equal(again, tags) {
					t.Fatalf("ParseETags(join(%q)) = %q, %v, %v", tags, again, any2, err)
				}
			}
		}
		tag := odata.FormatETag(version)
		got, _, err := odata.ParseETags(header + "," + tag)
		if err == nil && (len(got) == 0 || got[len(got)-1] != tag) {
			t.Fatalf("ParseETags(%q) = %q, want %s last", header+","+tag, got, tag)
		}
		if v, ok := odata.ETagVersion(tag); !ok || v != version || !odata.MatchETag([]string{tag}, tag) {
			t.Fatalf("ETagVersion(%s) = %d, %v", tag, v, ok)
		}
	})
}

// wellFormedTag checks an entity-tag by RFC 9110's grammar, independently of the parser.
func wellFormedTag(tag string) bool {
	tag = strings.TrimPrefix(tag, "W/")
	if len(tag) < 2 || tag[0] != '"' || tag[len(tag)-1] != '"' {
		return false
	}
	for _, c := range []byte(tag[1 : len(tag)-1]) {
		if c != 0x21 && (c < 0x23 || c > 0x7e) && c < 0x80 {
			return false
		}
	}
	return true
}
