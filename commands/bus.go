package commands

import (
	"context"
	"encoding/json"
	"log/slog"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/components/cqrs"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/message/router/middleware"
	"github.com/ThreeDotsLabs/watermill/pubsub/gochannel"

	"github.com/chengyun/chengyun/domain"
)

// CaseCommand is a command as it travels on the bus: the same JSON body the HTTP API takes,
// with the case and the sender. IdempotencyKey defaults to the message id, so a redelivered
// message writes nothing new.
type CaseCommand struct {
	Command        string          `json:"command"`
	CaseID         string          `json:"caseId"`
	Body           json.RawMessage `json:"body,omitempty"`
	Actor          string          `json:"actor"`
	Channel        string          `json:"channel"`
	IdempotencyKey string          `json:"idempotencyKey,omitempty"`
}

// Bus carries case commands over watermill's CQRS command bus, for hubs that send commands
// without waiting for an answer. In one process it runs on a GoChannel; a deployment may hand
// it any watermill publisher and subscriber (NATS JetStream) instead.
type Bus struct {
	bus    *cqrs.CommandBus
	router *message.Router
}

// CommandTopic is the topic case commands travel on.
const CommandTopic = "chengyun.commands.case"

// NewBus wires a bus whose handler executes through h. Failed commands are logged with their
// error: a rule violation is final, an unavailable store is retried by watermill's router.
func NewBus(h *Handler, log *slog.Logger) (*Bus, error) {
	logger := watermill.NewSlogLogger(log)
	// Blocking until the handler acknowledges keeps commands in the order they were sent (a
	// verify never overtakes its report); GoChannel otherwise delivers each message from its
	// own goroutine.
	pubsub := gochannel.NewGoChannel(gochannel.Config{OutputChannelBuffer: 1024, BlockPublishUntilSubscriberAck: true}, logger)
	router, err := message.NewRouter(message.RouterConfig{}, logger)
	if err != nil {
		return nil, domain.Internal("watermill router", err)
	}
	// A panic in a handler becomes an error instead of ending the process, and a store that
	// is down is retried with backoff instead of in a tight redelivery loop.
	router.AddMiddleware(
		middleware.Retry{MaxRetries: 5, InitialInterval: 100 * time.Millisecond, Multiplier: 2, MaxInterval: 5 * time.Second, Logger: logger}.Middleware,
		middleware.Recoverer,
	)
	marshaler := cqrs.JSONMarshaler{}
	topic := func(string) string { return CommandTopic }
	bus, err := cqrs.NewCommandBusWithConfig(pubsub, cqrs.CommandBusConfig{
		GeneratePublishTopic: func(cqrs.CommandBusGeneratePublishTopicParams) (string, error) { return topic(""), nil },
		Marshaler:            marshaler,
	})
	if err != nil {
		return nil, domain.Internal("watermill command bus", err)
	}
	proc, err := cqrs.NewCommandProcessorWithConfig(router, cqrs.CommandProcessorConfig{
		GenerateSubscribeTopic: func(cqrs.CommandProcessorGenerateSubscribeTopicParams) (string, error) { return topic(""), nil },
		SubscriberConstructor:  func(cqrs.CommandProcessorSubscriberConstructorParams) (message.Subscriber, error) { return pubsub, nil },
		Marshaler:              marshaler,
	})
	if err != nil {
		return nil, domain.Internal("watermill command processor", err)
	}
	err = proc.AddHandlers(cqrs.NewCommandHandler("case-commands", func(ctx context.Context, c *CaseCommand) error {
		if c.IdempotencyKey == "" {
			c.IdempotencyKey = "bus:" + cqrs.OriginalMessageFromCtx(ctx).UUID
		}
		cmd, err := Decode(c.Command, c.Body)
		if err == nil {
			_, err = h.Execute(ctx, c.CaseID, cmd, Meta{Actor: c.Actor, Channel: c.Channel, IdempotencyKey: c.IdempotencyKey})
		}
		if err != nil && domain.CodeOf(err) == domain.CodeUnavailable {
			return err // the router nacks; the message comes again
		}
		if err != nil {
			log.Warn("bus command refused", "command", c.Command, "case", c.CaseID, "err", err)
		}
		return nil
	}))
	if err != nil {
		return nil, domain.Internal("watermill handler", err)
	}
	return &Bus{bus: bus, router: router}, nil
}

// Run processes commands until ctx ends.
func (b *Bus) Run(ctx context.Context) error { return b.router.Run(ctx) }

// Running is closed once the bus processes commands.
func (b *Bus) Running() chan struct{} { return b.router.Running() }

// Send publishes a command. On the in-process bus it returns once the command was handled
// (refusals are logged, not returned); on a broker, once the broker took it.
func (b *Bus) Send(ctx context.Context, c CaseCommand) error { return b.bus.Send(ctx, &c) }

// Close stops the router.
func (b *Bus) Close() error { return b.router.Close() }
