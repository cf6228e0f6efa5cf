/**
 * The simulated world: the active scenario, its epoch and the simulated time (the injected clock
 * plus a forward offset that `/_sim/clock` can grow, so tests watch outages start and end).
 */
import type { Clock } from "../util/clock.js";
import type { Entity } from "../mosapi/target.js";
import { scenarioEpoch, type Scenario, type ScenarioTarget } from "./scenario.js";

/** Mutable holder of the scenario and simulated time; one per simulator. */
export class SimulatedWorld {
  #scenario: Scenario;
  #epoch: number;
  #offsetMs = 0;
  readonly #clock: Clock;

  /** Starts the world at the clock's current time; the scenario epoch is derived from it. */
  constructor(scenario: Scenario, clock: Clock) {
    this.#clock = clock;
    this.#scenario = scenario;
    this.#epoch = scenarioEpoch(this.nowMs());
  }

  /** Simulated time in Unix milliseconds. */
  nowMs(): number {
    return this.#clock.now() + this.#offsetMs;
  }

  /** Simulated time in (fractional) Unix seconds. */
  nowSeconds(): number {
    return this.nowMs() / 1000;
  }

  /** Unix seconds the scenario timelines are relative to. */
  get epoch(): number {
    return this.#epoch;
  }

  get scenario(): Scenario {
    return this.#scenario;
  }

  /** Total forward shift applied to the injected clock, in seconds. */
  get offsetSeconds(): number {
    return this.#offsetMs / 1000;
  }

  /**
   * Switches scenario. The epoch restarts at the current simulated time, so "25 minutes ago" in
   * the new scenario means 25 minutes before the switch.
   */
  setScenario(scenario: Scenario): void {
    this.#scenario = scenario;
    this.#epoch = scenarioEpoch(this.nowMs());
  }

  /**
   * Moves simulated time forward; the epoch stays, so timelines progress.
   * @throws RangeError when `seconds` is negative or not finite (time never runs backwards)
   */
  advance(seconds: number): void {
    if (!Number.isFinite(seconds) || seconds < 0) {
      throw new RangeError("clock offset must be a finite number of seconds ≥ 0");
    }
    this.#offsetMs += seconds * 1000;
  }

  /** The scenario's target `entity/id`, or undefined when the scenario has none. */
  findTarget(entity: Entity, id: string): ScenarioTarget | undefined {
    return this.#scenario.targets.find((t) => t.entity === entity && t.id === id);
  }
}
