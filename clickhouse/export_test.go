package clickhouse

// FullReads is how many tables c's Tables has read in full (CREATE query
// and columns) rather than from what it knew.
func FullReads(c *Client) int {
	c.known.mu.Lock()
	defer c.known.mu.Unlock()
	return c.known.reads
}

// KnownTables is how many tables of db c's Tables knows.
func KnownTables(c *Client, db string) int {
	c.known.mu.Lock()
	defer c.known.mu.Unlock()
	return len(c.known.m[db])
}
