package infra

import "testing"

func strMember(name, v string) EnumMember { return EnumMember{Name: name, Value: EnumValue{Str: &v}} }
func intMember(name string, v int64) EnumMember {
	return EnumMember{Name: name, Value: EnumValue{Int: &v}}
}

// The cases follow upstream's enums_are_equivalent tests.
func TestEnumsEquivalent(t *testing.T) {
	recordType := Enum{Name: "RecordType", Values: []EnumMember{strMember("TEXT", "text"), strMember("EMAIL", "email"), strMember("CALL", "call")}}
	readBack := Enum{Values: []EnumMember{intMember("text", 1), intMember("email", 2), intMember("call", 3)}}
	status := Enum{Name: "Status", Values: []EnumMember{intMember("ACTIVE", 1), intMember("INACTIVE", 2)}}
	for _, tc := range []struct {
		name string
		a, b Enum
		want bool
	}{
		{"string enum matches its read-back", readBack, recordType, true},
		{"int enum matches itself", status, status, true},
		{"both string", recordType, recordType, true},
		{"different string values", Enum{Name: "R", Values: []EnumMember{strMember("TEXT", "text")}},
			Enum{Name: "R", Values: []EnumMember{strMember("TEXT", "different")}}, false},
		{"string enums with different names", Enum{Name: "RecordType", Values: []EnumMember{strMember("TEXT", "text")}},
			Enum{Name: "DifferentType", Values: []EnumMember{strMember("TEXT", "text")}}, false},
		{"different member count", Enum{Name: "R", Values: []EnumMember{strMember("TEXT", "text")}},
			Enum{Name: "R", Values: []EnumMember{strMember("TEXT", "text"), strMember("EMAIL", "email")}}, false},
		{"int enum read back sorted by value",
			Enum{Name: "Enum8", Values: []EnumMember{intMember("LOW", 1), intMember("MEDIUM", 3), intMember("HIGH", 5), intMember("CRITICAL", 10)}},
			Enum{Name: "ErrorSeverity", Values: []EnumMember{intMember("CRITICAL", 10), intMember("HIGH", 5), intMember("MEDIUM", 3), intMember("LOW", 1)}}, true},
		{"string enum read back in another order",
			Enum{Values: []EnumMember{intMember("a", 1), intMember("b", 2), intMember("c", 3)}},
			Enum{Name: "Priority", Values: []EnumMember{strMember("C", "c"), strMember("B", "b"), strMember("A", "a")}}, true},
		{"int member value changed", status, Enum{Name: "Status", Values: []EnumMember{intMember("ACTIVE", 1), intMember("INACTIVE", 3)}}, false},
		{"read-back member missing from code", readBack,
			Enum{Name: "RecordType", Values: []EnumMember{strMember("TEXT", "text"), strMember("EMAIL", "email"), strMember("FAX", "fax")}}, false},
	} {
		if got := EnumsEquivalent(tc.a, tc.b); got != tc.want {
			t.Errorf("%s: EnumsEquivalent = %v, want %v", tc.name, got, tc.want)
		}
		if got := EnumsEquivalent(tc.b, tc.a); got != tc.want {
			t.Errorf("%s (swapped): EnumsEquivalent = %v, want %v", tc.name, got, tc.want)
		}
		if got := TypesEqual(Array{Element: tc.a}, Array{Element: tc.b}); got != tc.want {
			t.Errorf("%s inside an array: TypesEqual = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// Containers compare element by element; a Nested type's class name does
// not count, its columns do.
func TestTypesEqualContainers(t *testing.T) {
	n := func(name string, typ ColumnType) Nested {
		return Nested{Name: name, Columns: []Column{{Name: "x", DataType: typ, Required: true}}}
	}
	for _, tc := range []struct {
		name string
		a, b ColumnType
		want bool
	}{
		{"nested class renamed", n("Meta", String), n("nested_3", String), true},
		{"nested column type changed", n("Meta", String), n("Meta", Int64), false},
		{"map value changed", MapType{Key: String, Value: Int32}, MapType{Key: String, Value: Int64}, false},
		{"map same", MapType{Key: String, Value: Int32}, MapType{Key: String, Value: Int32}, true},
		{"tuple field renamed", NamedTuple{Fields: []TupleField{{"a", String}}}, NamedTuple{Fields: []TupleField{{"b", String}}}, false},
		{"array nullability", Array{Element: String}, Array{Element: String, ElementNullable: true}, false},
		{"json typed paths as a set",
			JSONOptions{TypedPaths: []TupleField{{"a", String}, {"b", Int64}}},
			JSONOptions{TypedPaths: []TupleField{{"b", Int64}, {"a", String}}}, true},
		{"json typed path type changed",
			JSONOptions{TypedPaths: []TupleField{{"a", String}}}, JSONOptions{TypedPaths: []TupleField{{"a", Int64}}}, false},
		{"scalar vs array", String, Array{Element: String}, false},
	} {
		if got := TypesEqual(tc.a, tc.b); got != tc.want {
			t.Errorf("%s: TypesEqual = %v, want %v", tc.name, got, tc.want)
		}
	}
}
