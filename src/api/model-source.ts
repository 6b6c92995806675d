/**
 * The model being served, and switching to a new champion without dropping a request: a new model is loaded
 * fully first, then the reference is swapped in one assignment. A handler takes the reference once, at its start,
 * so a request in flight finishes on the model it started with.
 *
 * Building a model (compiling its trees, its explainer's tables) is about a second of CPU. Where valuations run
 * on other threads, that work is done there (`preload`: the valuation pool builds it on new threads) and this
 * thread only reads and parses the artifact, so the requests it answers meanwhile do not wait; without
 * `preload` (valuations on this thread) the model is built here before it is swapped in.
 */
import { readArtifactAsync } from '../registry/index.js';
import { loadValuer, type LoadedModel } from '../model/index.js';
import type { Store } from '../store/store.js';

/** Where the champion comes from (the registry; tests may give another). */
export interface ChampionStore {
  /** The champion's version: cheap, called on every poll. */
  version(): Promise<string | undefined>;
  /** The champion's version and artifact text. */
  load(): Promise<{ version: string; text: string } | undefined>;
}

export function registryChampions(store: Pick<Store, 'championVersion' | 'getChampion'>): ChampionStore {
  return {
    version: () => store.championVersion(),
    async load() {
      const record = await store.getChampion();
      return record && { version: record.version, text: await readArtifactAsync(record) };
    },
  };
}

export interface ModelSourceOptions {
  /** How often to look for a new champion, in ms (default 1000). */
  pollMs?: number;
  onSwitch?(from: string | undefined, to: string): void;
  onError?(error: unknown, version: string | undefined): void;
  /**
   * Builds a new champion (`text`, its artifact) where valuations are computed and resolves, once it can value
   * there, with the model to hold here; a rejection counts as a champion that failed to load. Without it the
   * model is parsed and built on this thread.
   */
  preload?(version: string, text: string): Promise<LoadedModel>;
}

export class ModelSource {
  #current: LoadedModel | undefined;
  #failedVersion: string | undefined;
  #timer: NodeJS.Timeout | undefined;
  #refreshing: Promise<boolean> | undefined;
  #unreachable = false;

  constructor(
    private readonly store: ChampionStore,
    private readonly options: ModelSourceOptions = {},
  ) {}

  /** The model to serve now, or undefined before the first champion exists. */
  get current(): LoadedModel | undefined {
    return this.#current;
  }

  /** Serves this model now (tests, and a server given a model directly). */
  use(model: LoadedModel): void {
    const from = this.#current?.version;
    this.#current = model;
    if (from !== model.version) this.options.onSwitch?.(from, model.version);
  }

  /**
   * Loads the champion if it is not the model being served. A champion that fails to load is reported once and
   * not retried until the champion changes; the model being served stays. Resolves with whether the model changed.
   * A call while one is under way shares its result (a slow database never stacks polls up).
   */
  refresh(): Promise<boolean> {
    this.#refreshing ??= this.#refresh().finally(() => {
      this.#refreshing = undefined;
    });
    return this.#refreshing;
  }

  async #refresh(): Promise<boolean> {
    let wanted: string | undefined;
    try {
      wanted = await this.store.version();
    } catch (error) {
      // The database is away (PostgreSQL restarting): said once, not at every poll; the model being served stays.
      if (!this.#unreachable) this.options.onError?.(error, undefined);
      this.#unreachable = true;
      return false;
    }
    this.#unreachable = false;
    try {
      if (wanted === undefined || wanted === this.#current?.version || wanted === this.#failedVersion) return false;
      const loaded = await this.store.load();
      if (!loaded) return false;
      let model: LoadedModel;
      if (this.options.preload) model = await this.options.preload(loaded.version, loaded.text);
      else {
        model = loadValuer(loaded.text, loaded.version);
        model.prepare();
      }
      this.#failedVersion = undefined;
      this.use(model);
      return true;
    } catch (error) {
      this.#failedVersion = wanted;
      this.options.onError?.(error, wanted);
      return false;
    }
  }

  /** Polls for a new champion until stop(). */
  start(): void {
    this.stop();
    this.#timer = setInterval(() => void this.refresh(), this.options.pollMs ?? 1000);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
