package planfile

import (
	"reflect"

	"github.com/moose-dev/moose-dev/infra"
)

// newPointer returns a pointer to a new value of op's type, for decoding.
func newPointer(op infra.Operation) any {
	return reflect.New(reflect.TypeOf(op)).Interface()
}

// deref returns the operation a pointer from newPointer points to.
func deref(ptr any) infra.Operation {
	return reflect.ValueOf(ptr).Elem().Interface().(infra.Operation)
}
