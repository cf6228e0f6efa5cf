/**
 * `/_sim/*`: the simulator's own control routes (no authentication, loopback only), so tests and
 * people drive a running simulator the same way as an in-process one.
 *
 * | route | effect |
 * |---|---|
 * | `GET /_sim/stats` | accounting (`SimulatorStats`) |
 * | `POST /_sim/stats/reset` | zero the counters |
 * | `POST /_sim/faults` / `DELETE /_sim/faults` | add a fault (JSON `Fault`, 201 `{id}`) / clear all |
 * | `POST /_sim/scenario` | `{name}`: switch scenario |
 * | `POST /_sim/sessions/evict` | invalidate every session |
 * | `POST /_sim/clock` | `{offsetSeconds}`: move simulated time forward |
 */
import express, { Router, type ErrorRequestHandler } from "express";
import { z } from "zod";
import { faultSchema, type Fault } from "./faults.js";
import type { Scenario } from "./scenario.js";
import type { SimulatorStats } from "./stats.js";

/** The operations behind the control routes (the same ones the in-process API offers). */
export interface SimulatorControls {
  /** A copy of the accounting counters. */
  readonly stats: () => SimulatorStats;
  /** A copy of `stats().requests.byTarget` alone, cheap enough to poll at a fleet's scale. */
  readonly requestsByTarget: () => SimulatorStats["requests"]["byTarget"];
  readonly resetStats: () => void;
  /**
   * Adds a fault; returns its id.
   * @throws ZodError for an invalid fault
   */
  readonly addFault: (fault: Fault) => string;
  readonly clearFaults: () => void;
  /** Switches scenario; its epoch restarts at the current simulated time. */
  readonly setScenario: (scenario: Scenario) => void;
  /** Invalidates every session (the next cookie request gets 401). */
  readonly evictSessions: () => void;
  /**
   * Moves simulated time forward by `seconds`; returns the new time in Unix seconds.
   * @throws RangeError for a negative or non-finite shift
   */
  readonly advanceClock: (seconds: number) => number;
}

const scenarioRequest = z.strictObject({ name: z.string().min(1) });
const clockRequest = z.strictObject({ offsetSeconds: z.number().min(0) });

/** Answers 400 with zod's message for a body that does not fit. */
const badRequest: ErrorRequestHandler = (err, _req, res, next) => {
  if (err instanceof z.ZodError) {
    res.status(400).json({ error: z.prettifyError(err) });
    return;
  }
  next(err);
};

/**
 * The `/_sim` router.
 * @param findScenario resolves a scenario name; throws for an unknown one (answered 404)
 */
export function controlRouter(
  controls: SimulatorControls,
  findScenario: (name: string) => Scenario,
): Router {
  const router = Router();
  router.use(express.json());

  router.get("/stats", (_req, res) => {
    res.json(controls.stats());
  });
  router.post("/stats/reset", (_req, res) => {
    controls.resetStats();
    res.status(204).end();
  });
  router.post("/faults", (req, res) => {
    const id = controls.addFault(faultSchema.parse(req.body));
    res.status(201).json({ id });
  });
  router.delete("/faults", (_req, res) => {
    controls.clearFaults();
    res.status(204).end();
  });
  router.post("/scenario", (req, res) => {
    const { name } = scenarioRequest.parse(req.body);
    let scenario: Scenario;
    try {
      scenario = findScenario(name);
    } catch (err) {
      res.status(404).json({ error: (err as Error).message });
      return;
    }
    controls.setScenario(scenario);
    res.json({ name: scenario.name });
  });
  router.post("/sessions/evict", (_req, res) => {
    controls.evictSessions();
    res.status(204).end();
  });
  router.post("/clock", (req, res) => {
    const { offsetSeconds } = clockRequest.parse(req.body);
    res.json({ now: controls.advanceClock(offsetSeconds) });
  });
  router.use((_req, res) => {
    res.status(404).json({ error: "no such control route" });
  });
  router.use(badRequest);
  return router;
}
