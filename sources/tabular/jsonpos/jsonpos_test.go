package jsonpos

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestArrayLines(t *testing.T) {
	data := []byte("{\n \"meta\": {\"a\": [1, 2]},\n \"items\": [\n  {\"id\": 1},\n\n  {\"id\": 2}, {\"id\": 3}\n ]\n}\n")
	d := New("f.json", data)
	require.NoError(t, d.Validate())
	var lines []int
	var keys []string
	err := d.Object(func(key string, line int) error {
		keys = append(keys, key)
		if key != "items" {
			return d.Skip()
		}
		assert.Equal(t, 3, line)
		return d.Array(func(line int) error {
			lines = append(lines, line)
			var v map[string]any
			return d.Decode(&v)
		})
	})
	require.NoError(t, err)
	assert.Equal(t, []string{"meta", "items"}, keys)
	assert.Equal(t, []int{4, 6, 6}, lines)
}

func TestValidateLocatesError(t *testing.T) {
	d := New("f.json", []byte("[\n 1,\n 2,,\n 3\n]"))
	err := d.Validate()
	require.Error(t, err)
	assert.Equal(t, "f.json:3: invalid JSON: invalid character ',' looking for beginning of value", err.Error())
	assert.False(t, IsTrailingData(err))

	d = New("f.json", []byte("{}\n{}"))
	err = d.Validate()
	require.Error(t, err)
	assert.True(t, IsTrailingData(err))
}

func TestStream(t *testing.T) {
	d := New("s.json", []byte("{\"a\": 1}\n{\n  \"a\": 2\n}\n\n{\"a\": 3}"))
	var lines []int
	require.NoError(t, d.Stream(func(line int) error {
		lines = append(lines, line)
		return d.Skip()
	}))
	assert.Equal(t, []int{1, 2, 6}, lines)

	d = New("s.json", []byte("{\"a\": 1}\n{\"a\": 2\n{\"a\": 3}"))
	err := d.Stream(func(int) error { return d.Skip() })
	require.Error(t, err)
	assert.Equal(t, "s.json:3: invalid JSON: invalid character '{' after object key:value pair", err.Error())
}

func TestTypeErrorLine(t *testing.T) {
	d := New("t.json", []byte("[\n {\n  \"name\": \"x\",\n  \"count\": \"three\"\n }\n]"))
	var got []struct {
		Name  string
		Count int
	}
	err := d.Decode(&got)
	require.Error(t, err)
	assert.Equal(t, "t.json:4: Count: unexpected JSON string, want a number", err.Error())
}

func TestWrongShape(t *testing.T) {
	d := New("w.json", []byte("\n\n\"text\""))
	err := d.Array(func(int) error { return nil })
	require.Error(t, err)
	assert.Equal(t, "w.json:3: expected an array, found a string", err.Error())

	d = New("w.json", []byte("null"))
	require.NoError(t, d.Object(func(string, int) error { t.Fatal("no keys in null"); return nil }))
}

func TestSubLines(t *testing.T) {
	d := Sub("x.jsonl", []byte(`{"a": }`), 41)
	err := d.Validate()
	require.Error(t, err)
	assert.Equal(t, "x.jsonl:41: invalid JSON: invalid character '}' looking for beginning of value", err.Error())
}
