package city

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io/fs"
	"strings"
)

// nameRow is a row of a street names file: a real street with its code and district, whose
// area is generated.
type nameRow struct {
	code, name, parent string
	row                int // in the file, for errors
}

// readNames reads a CSV of code,name,parent-code rows (a header row is allowed), grouped by
// parent in file order.
func readNames(fsys fs.FS, file string, field string) (map[string][]nameRow, error) {
	data, err := fs.ReadFile(fsys, file)
	if err != nil {
		return nil, errf(ConfigFile, "", field, "%q %s", file, missingMsg(err))
	}
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\ufeff"))))
	r.FieldsPerRecord = 3
	rows, err := r.ReadAll()
	if err != nil {
		return nil, errf(file, "", "", "%v", err)
	}
	out := map[string][]nameRow{}
	seen := map[string]bool{}
	for i, row := range rows {
		for k := range row {
			row[k] = strings.TrimSpace(row[k])
		}
		if i == 0 && strings.EqualFold(row[0], "code") { // header
			continue
		}
		feature := featureName(row[0], i)
		switch {
		case row[0] == "":
			return nil, errf(file, feature, "code", "empty code on line %d", i+1)
		case seen[row[0]]:
			return nil, errf(file, feature, "code", "duplicate code %s on line %d", row[0], i+1)
		case row[1] == "":
			return nil, errf(file, feature, "name", "empty name on line %d", i+1)
		case row[2] == "":
			return nil, errf(file, feature, "parent", "empty parent code on line %d", i+1)
		}
		seen[row[0]] = true
		out[row[2]] = append(out[row[2]], nameRow{row[0], row[1], row[2], i})
	}
	return out, nil
}

// missingMsg says what is wrong with a file named in city.yaml that could not be read.
func missingMsg(err error) string {
	if errors.Is(err, fs.ErrNotExist) {
		return "does not exist in the city folder"
	}
	return err.Error()
}
