/**
 * The REST API's surface for the command line: build the app, the model source and the request log.
 */
export { buildApp, type AppOptions } from './app.js';
export { ModelSource, registryChampions, type ChampionStore } from './model-source.js';
export { RequestLog } from './request-log.js';
export { inProcessValuations, ValuationPool, type Valuations } from './valuation-pool.js';
export { threadedRequestLogWriter } from './request-log-thread.js';
export { threadedSimilarSearch } from './similar-thread.js';
export { AddressThrottle } from './address-throttle.js';
export { assertOpenAllowed, isLoopback, OpenAccessRefused, resolvesToLoopback } from './auth.js';
export { defaultValuationThreads, metricsAccess, parseCorsOrigins, type MetricsAccess } from './settings.js';
export { DEFAULT_DISCLAIMER, parseShop, type Shop } from './shop.js';
export { asyncQuoteStore, QuoteStore, threadedQuoteStore } from './quote-store.js';
export { asyncBatchWriter, type WriterEvent } from './async-writer.js';
