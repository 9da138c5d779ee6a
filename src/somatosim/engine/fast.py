"""The fast engine: a compiled, batched, fixed-step exponential integrator.

The integrator knows nothing about physiology. It calls the model's pure rate function
(``dy/dt = prod - loss*y``) twice per 1-minute step (exponential midpoint method: rates at the
start, a half step with the exact linear decay, rates at the midpoint, then the full step with
the exact solution of the linear decay under the midpoint rates), applies the discrete events
of the schedule (sleep intervals, meals, doses, GHRH volleys drawn by time rescaling of the
model's volley rate) and accumulates daily summaries and per-burst secretion. Subjects run in
parallel (``numba.prange``); each subject uses only its own random numbers, so a subject gives
identical numbers alone or inside any batch.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numba import prange

from somatosim.model.equations import (
    A_EXO_IN,
    A_FREE,
    A_KOUT,
    A_SECR_BASAL,
    A_SECR_PULSE,
    N_AUX,
    ghrh_volley_amplitude,
    ghrh_volley_rate,
    rates,
)
from somatosim.model.jit import kernel
from somatosim.model.states import (
    BP3,
    DS1,
    DS2,
    EX,
    FITA,
    FITR,
    GH,
    GHR,
    IGF,
    LA,
    LC,
    MIGF,
    MPS,
    N_INPUTS,
    N_STATES,
    NG,
    POOL,
    Q_K_BP3,
    RS,
    SP,
    SWS,
    U_ASLEEP,
    U_BP3F,
    U_CLOCK,
    U_EX,
    U_GHRH_INF,
    U_GHS,
    U_HEP,
    U_IGF_INF,
    U_MECH,
    U_MICRO,
    U_NREM,
    U_NTARGET,
    U_PROTEIN,
    U_SST_ANALOG,
    U_SST_BLOCK,
    U_WAER,
    U_WRES,
    R,
    S,
)

__all__ = ["DAILY_FIELDS", "OUTPUT_FIELDS", "integrate_batch"]

DT_H = 1.0 / 60.0
HALF_DT_H = 0.5 * DT_H
MIN_PER_DAY = 1440
SWS_STAGE_THRESHOLD = 0.25  # slow-wave intensity scored as stage N3
CYCLE_MIN = 90  # NREM-REM cycle length (min)
NREM_DEEP_FROM, NREM_DEEP_TO, REM_FROM = 10, 65, 70  # minutes within each cycle
STATUS_OK, STATUS_NONFINITE, STATUS_VOLLEY_OVERFLOW = 0, 1, 2

OUTPUT_FIELDS: tuple[str, ...] = (
    "gh",
    "igf1_total",
    "igf1_free",
    "ghrh",
    "somatostatin",
    "sleep_stage",
    "sws",
    "sleep_pressure",
    "nutrition_gate",
    "ghrelin",
    "gh_secretion_rate",
    "pituitary_pool",
    "hepatic_signal",
    "igfbp3",
    "muscle_igf1",
    "mps_index",
    "exercise_stimulus",
    "lagh",
    "sc_depot",
    "fitness_resistance",
    "fitness_aerobic",
)
N_OUT = len(OUTPUT_FIELDS)
DAILY_FIELDS: tuple[str, ...] = (
    "gh_area",
    "secretion_ug",
    "secretion_asleep_ug",
    "igf1_area",
    "igf1_free_area",
    "sws_minutes",
    "sleep_minutes",
    "exo_absorbed_ug",
    "gh_max",
    "mps_area",
    "muscle_igf1_area",
    "gate_area",
    "igfbp3_area",
    "basal_secretion_ug",
    "lagh_area",
)
N_DAILY = len(DAILY_FIELDS)


@kernel(inline="always")
def _decay(rate: float, dt: float) -> tuple[float, float]:
    """Exact one-step factors of ``dy/dt = p - rate*y``: ``y' = y*e + p*g``.

    A 4-term series replaces ``exp`` when ``rate*dt`` is tiny (slow states); its error is
    below 1e-14 there.
    """
    x = rate * dt
    if x <= 0.0:
        return 1.0, dt
    if x < 1e-3:
        e = 1.0 - x * (1.0 - x * (0.5 - x / 6.0))
        g = dt * (1.0 - x * (0.5 - x * (1.0 / 6.0 - x / 24.0)))
        return e, g
    e = math.exp(-x)
    return e, (1.0 - e) / rate


@kernel()
def _sleep_phase(asleep: bool, minutes_since_onset: int, sws: float) -> tuple[float, float]:
    """NREM window flag and scored stage (0 wake, 1 REM, 2 light NREM, 3 slow-wave)."""
    if not asleep:
        return 0.0, 0.0
    cyc = minutes_since_onset % CYCLE_MIN
    nrem = 1.0 if NREM_DEEP_FROM <= cyc < NREM_DEEP_TO else 0.0
    if sws > SWS_STAGE_THRESHOLD:
        return nrem, 3.0
    if cyc >= REM_FROM and minutes_since_onset >= REM_FROM:
        return nrem, 1.0
    return nrem, 2.0


@kernel()
def _simulate_one(
    s: int,
    y0: Any,
    q: Any,
    daily_in: Any,
    sleep_on: Any,
    sleep_off: Any,
    n_sleep: Any,
    meal_t: Any,
    meal_frac: Any,
    n_meal: Any,
    ex_on: Any,
    ex_off: Any,
    ex_vals: Any,
    n_ex: Any,
    dose_t: Any,
    dose_ug: Any,
    dose_kind: Any,
    n_dose: Any,
    ch_on: Any,
    ch_off: Any,
    ch_input: Any,
    ch_value: Any,
    n_ch: Any,
    gam: Any,
    nrm: Any,
    meal_drop: float,
    warmup: int,
    n_days: int,
    save_every: int,
    ts: Any,
    daily_out: Any,
    ev_t: Any,
    ev_amp: Any,
    ev_mass: Any,
    n_ev: Any,
    status: Any,
) -> None:
    y = y0[s].copy()
    qs = q[s]
    prod = np.zeros(N_STATES)
    loss = np.zeros(N_STATES)
    last_loss = np.full(N_STATES, -1.0)
    e_fac = np.ones(N_STATES)
    g_fac = np.zeros(N_STATES)
    last_loss_h = np.full(N_STATES, -1.0)
    e_half = np.ones(N_STATES)
    g_half = np.zeros(N_STATES)
    y_mid = np.zeros(N_STATES)
    aux = np.zeros(N_AUX)
    u = np.zeros(N_INPUTS)
    max_ev = gam.shape[1]

    si = 0
    mi = 0
    ei = 0
    di = 0
    ev = 0
    cur_ev = -1
    lam_acc = 0.0
    thr = gam[s, 0]
    total = (warmup + n_days) * MIN_PER_DAY
    start_rec = warmup * MIN_PER_DAY
    warm_prod_igf = 0.0
    warm_kout = 0.0
    warm_prod_bp3 = 0.0

    for k in range(total):
        a_day = k // MIN_PER_DAY
        # ---- schedule lookups ----------------------------------------------------------------
        while si < n_sleep[s] and sleep_off[s, si] <= k:
            si += 1
        asleep = si < n_sleep[s] and sleep_on[s, si] <= k
        since = k - sleep_on[s, si] if asleep else 0
        nrem, stage = _sleep_phase(asleep, since, y[SWS])
        while ei < n_ex[s] and ex_off[s, ei] <= k:
            ei += 1
        in_ex = ei < n_ex[s] and ex_on[s, ei] <= k
        while mi < n_meal[s] and meal_t[s, mi] <= k:
            y[GHR] *= math.exp(-meal_drop * meal_frac[s, mi])
            mi += 1
        while di < n_dose[s] and dose_t[s, di] <= k:
            if dose_kind[s, di] == 0:
                y[DS1] += dose_ug[s, di]
            else:
                y[LA] += dose_ug[s, di]
            di += 1

        u[U_ASLEEP] = 1.0 if asleep else 0.0
        u[U_CLOCK] = (k % MIN_PER_DAY) / 60.0
        u[U_NREM] = nrem
        u[U_NTARGET] = daily_in[s, a_day, 0]
        u[U_MICRO] = daily_in[s, a_day, 1]
        u[U_HEP] = daily_in[s, a_day, 2]
        u[U_PROTEIN] = daily_in[s, a_day, 3]
        u[U_BP3F] = daily_in[s, a_day, 4]
        if in_ex:
            u[U_EX] = ex_vals[s, ei, 0]
            u[U_WRES] = ex_vals[s, ei, 1]
            u[U_WAER] = ex_vals[s, ei, 2]
            u[U_MECH] = ex_vals[s, ei, 3]
        else:
            u[U_EX] = 0.0
            u[U_WRES] = 0.0
            u[U_WAER] = 0.0
            u[U_MECH] = 0.0
        u[U_IGF_INF] = 0.0
        u[U_GHRH_INF] = 0.0
        u[U_SST_BLOCK] = 0.0
        u[U_GHS] = 0.0
        u[U_SST_ANALOG] = 0.0
        for c in range(n_ch[s]):
            if ch_on[s, c] <= k < ch_off[s, c]:
                u[ch_input[s, c]] += ch_value[s, c]

        # ---- GHRH volleys: time-rescaled renewal process -------------------------------------
        lam_acc += ghrh_volley_rate(y, qs, u) * DT_H
        if lam_acc >= thr:
            if ev < max_ev - 1:
                amp = ghrh_volley_amplitude(y, qs, nrm[s, ev])
                y[R] += amp
                ev_t[s, ev] = k
                ev_amp[s, ev] = amp
                cur_ev = ev
                ev += 1
                lam_acc -= thr
                thr = gam[s, ev]
            else:
                status[s] = STATUS_VOLLEY_OVERFLOW
                lam_acc = 0.0

        # ---- exponential midpoint step: rates at y, half step, rates at the midpoint ----------
        rates(y, qs, u, prod, loss, aux)
        for i in range(N_STATES):
            li = loss[i]
            if li != last_loss_h[i]:
                last_loss_h[i] = li
                e_half[i], g_half[i] = _decay(li, HALF_DT_H)
            y_mid[i] = y[i] * e_half[i] + prod[i] * g_half[i]
        rates(y_mid, qs, u, prod, loss, aux)
        secr = aux[A_SECR_PULSE] + aux[A_SECR_BASAL]
        if cur_ev >= 0:
            ev_mass[s, cur_ev] += aux[A_SECR_PULSE] * DT_H

        # ---- record -------------------------------------------------------------------------------
        if k >= start_rec:
            d = a_day - warmup
            rel = k - start_rec
            j = rel // save_every
            if rel % save_every == 0 and j < ts.shape[1]:
                ts[s, j, 0] = y[GH]
                ts[s, j, 1] = y[IGF]
                ts[s, j, 2] = aux[A_FREE]
                ts[s, j, 3] = y[R]
                ts[s, j, 4] = y[S]
                ts[s, j, 5] = stage
                ts[s, j, 6] = y[SWS]
                ts[s, j, 7] = y[SP]
                ts[s, j, 8] = y[NG]
                ts[s, j, 9] = y[GHR]
                ts[s, j, 10] = secr
                ts[s, j, 11] = y[POOL]
                ts[s, j, 12] = y[RS]
                ts[s, j, 13] = y[BP3]
                ts[s, j, 14] = y[MIGF]
                ts[s, j, 15] = y[MPS]
                ts[s, j, 16] = y[EX]
                ts[s, j, 17] = y[LC]
                ts[s, j, 18] = y[DS1] + y[DS2]
                ts[s, j, 19] = y[FITR]
                ts[s, j, 20] = y[FITA]
            row = daily_out[s, d]
            row[0] += y[GH] * DT_H
            row[1] += secr * DT_H
            if asleep:
                row[2] += secr * DT_H
                row[6] += 1.0
                if stage == 3.0:
                    row[5] += 1.0
            row[3] += y[IGF] * DT_H
            row[4] += aux[A_FREE] * DT_H
            row[7] += aux[A_EXO_IN] * DT_H
            row[8] = max(row[8], y[GH])
            row[9] += y[MPS] * DT_H
            row[10] += y[MIGF] * DT_H
            row[11] += y[NG] * DT_H
            row[12] += y[BP3] * DT_H
            row[13] += aux[A_SECR_BASAL] * DT_H
            row[14] += y[LC] * DT_H
        else:
            warm_prod_igf += prod[IGF]
            warm_kout += aux[A_KOUT]
            warm_prod_bp3 += prod[BP3]

        # ---- exponential step -----------------------------------------------------------------------
        for i in range(N_STATES):
            li = loss[i]
            if li != last_loss[i]:
                last_loss[i] = li
                e_fac[i], g_fac[i] = _decay(li, DT_H)
            y[i] = y[i] * e_fac[i] + prod[i] * g_fac[i]

        # ---- day boundaries: equilibrate slow binding states during warm-up, check finiteness -----
        if (k + 1) % MIN_PER_DAY == 0:
            if a_day < warmup - 1:
                y[IGF] = warm_prod_igf / warm_kout
                y[BP3] = warm_prod_bp3 / (qs[Q_K_BP3] * MIN_PER_DAY)
            warm_prod_igf = 0.0
            warm_kout = 0.0
            warm_prod_bp3 = 0.0
            finite = True
            for i in range(N_STATES):
                if not math.isfinite(y[i]) or y[i] < -1e-9:
                    finite = False
            if not finite:
                status[s] = STATUS_NONFINITE
                break
    n_ev[s] = ev


@kernel(parallel=True)
def integrate_batch(
    y0: Any,
    q: Any,
    daily_in: Any,
    sleep_on: Any,
    sleep_off: Any,
    n_sleep: Any,
    meal_t: Any,
    meal_frac: Any,
    n_meal: Any,
    ex_on: Any,
    ex_off: Any,
    ex_vals: Any,
    n_ex: Any,
    dose_t: Any,
    dose_ug: Any,
    dose_kind: Any,
    n_dose: Any,
    ch_on: Any,
    ch_off: Any,
    ch_input: Any,
    ch_value: Any,
    n_ch: Any,
    gam: Any,
    nrm: Any,
    meal_drop: float,
    warmup: int,
    n_days: int,
    save_every: int,
    ts: Any,
    daily_out: Any,
    ev_t: Any,
    ev_amp: Any,
    ev_mass: Any,
    n_ev: Any,
    status: Any,
) -> None:
    """Integrate a batch of subjects in parallel (arrays padded along their second axis)."""
    for s in prange(y0.shape[0]):
        _simulate_one(
            s,
            y0,
            q,
            daily_in,
            sleep_on,
            sleep_off,
            n_sleep,
            meal_t,
            meal_frac,
            n_meal,
            ex_on,
            ex_off,
            ex_vals,
            n_ex,
            dose_t,
            dose_ug,
            dose_kind,
            n_dose,
            ch_on,
            ch_off,
            ch_input,
            ch_value,
            n_ch,
            gam,
            nrm,
            meal_drop,
            warmup,
            n_days,
            save_every,
            ts,
            daily_out,
            ev_t,
            ev_amp,
            ev_mass,
            n_ev,
            status,
        )


def empty_float(*shape: int) -> np.ndarray[Any, np.dtype[np.float64]]:
    """Zero-filled float64 array (helper for callers packing batches)."""
    return np.zeros(shape, dtype=np.float64)
