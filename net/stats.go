package net

// Stats counts one party's traffic.
type Stats struct {
	BytesSent int64
	BytesRecv int64
	MsgsSent  int64
	MsgsRecv  int64
	Rounds    int64
}
