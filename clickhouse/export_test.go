package clickhouse

// KnownTables is how many tables of db c's cache knows.
func KnownTables(c *Client, db string) int {
	c.known.mu.Lock()
	defer c.known.mu.Unlock()
	return len(c.known.m[db])
}
