package commands_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"testing"
	"time"

	"github.com/chengyun/chengyun/commands"
	"github.com/chengyun/chengyun/domain/cases"
)

// TestBusExecutesCommands sends commands over the watermill command bus and waits for their
// events in the store; a redelivered message (same idempotency key) writes nothing new.
func TestBusExecutesCommands(t *testing.T) {
	r := newRig(t)
	bus, err := commands.NewBus(r.h, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = bus.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	<-bus.Running()

	id := commands.NewCaseID(commands.Meta{})
	body, _ := json.Marshal(cases.Report{Source: cases.SourceSensor, Category: category(t, r.city), Title: "积水告警转案件", Location: cases.Location{Address: "青山区和平大道"}})
	send := func(c commands.CaseCommand) {
		if err := bus.Send(context.Background(), c); err != nil {
			t.Fatal(err)
		}
	}
	send(commands.CaseCommand{Command: "report", CaseID: id, Body: body, Actor: "system:sensors", Channel: "mqtt", IdempotencyKey: "alarm-7"})
	send(commands.CaseCommand{Command: "report", CaseID: id, Body: body, Actor: "system:sensors", Channel: "mqtt", IdempotencyKey: "alarm-7"})
	send(commands.CaseCommand{Command: "verify", CaseID: id, Actor: "system:sensors", Channel: "mqtt"})
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if st, evs, err := r.h.History(context.Background(), id); err == nil && st.Status == cases.StatusVerified {
			if len(evs) != 2 || evs[0].Metadata.Channel != "mqtt" || evs[0].Metadata.Actor != "system:sensors" {
				t.Fatalf("%d events, metadata %+v", len(evs), evs[0].Metadata)
			}
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("the bus did not execute the commands within 10 s")
}
