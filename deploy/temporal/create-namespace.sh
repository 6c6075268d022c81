#!/bin/sh
# One-shot: the namespace and the search attributes the trade workflows set (src/temporal/search-attributes.ts).
set -eu
NAMESPACE=${TEMPORAL_NAMESPACE:-default}
until temporal operator cluster health --address "$TEMPORAL_ADDRESS"; do sleep 3; done
temporal operator namespace describe -n "$NAMESPACE" --address "$TEMPORAL_ADDRESS" \
  || temporal operator namespace create -n "$NAMESPACE" --retention 30d --address "$TEMPORAL_ADDRESS"
for attribute in TradeAccount TradeSymbol TradeSide TradeStatus; do
  temporal operator search-attribute create -n "$NAMESPACE" --name "$attribute" --type Keyword --address "$TEMPORAL_ADDRESS" || true
done
echo "Namespace $NAMESPACE and search attributes ready"
