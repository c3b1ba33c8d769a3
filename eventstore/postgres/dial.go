package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// dial opens one connection with the store's connect timeout.
func dial(ctx context.Context, cfg *pgx.ConnConfig) (*pgx.Conn, error) {
	return pgx.ConnectConfig(ctx, cfg.Copy())
}

// closeConn closes c without waiting long for a server that may be gone.
func closeConn(c *pgx.Conn) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_ = c.Close(ctx)
}
