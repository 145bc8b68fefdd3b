"""Generate the synthetic sample history bundled in ``xlmodels/data/history.csv``.

The reference report gives month-end closes and one valuation statement, not
series. This script makes deterministic daily series that agree with every
figure the report does give:

* each close in ``month_closes.csv`` is hit exactly on its date;
* Hang Seng TECH PE-TTM runs from the index's launch (2020-07-27) to
  2024-12-02, where it is 20.59x with 8.85% of the series strictly below it.

Run it from the repository root; the output is committed, so the demo and the
tests never depend on a random-number stream.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

DATA = Path(__file__).resolve().parents[1] / "xlmodels" / "data"
SEED = 20241202
LAUNCH = "2020-07-27"
PE_DATE = "2024-12-02"
PE_TODAY = 20.59
PE_PERCENTILE = 0.0885
CLOSES_FROM = "2023-11-30"
CLOSES_TO = "2024-11-29"
# A weekday calendar less Hong Kong's fixed-date holidays and three Lunar New
# Year days: a plausible trading calendar, labelled synthetic like the data.
FIXED_HOLIDAYS = {(1, 1), (5, 1), (7, 1), (10, 1), (12, 25), (12, 26)}
LUNAR_NEW_YEAR = {"2021-02-12", "2022-02-01", "2023-01-23"}


def trading_days(start: str, end: str) -> pd.DatetimeIndex:
    days = pd.bdate_range(start, end)
    keep = [
        (d.month, d.day) not in FIXED_HOLIDAYS and d.strftime("%Y-%m-%d") not in LUNAR_NEW_YEAR
        for d in days
    ]
    return days[keep]


def pinned_walk(
    days: pd.DatetimeIndex, anchors: dict[pd.Timestamp, float], vol: float, rng: np.random.Generator
) -> np.ndarray:
    """A log random walk bent piecewise-linearly to pass through every anchor."""
    walk = np.cumsum(rng.normal(0.0, vol, len(days)))
    positions = [days.get_loc(day) for day in sorted(anchors)]
    targets = [np.log(anchors[day]) for day in sorted(anchors)]
    correction = np.interp(np.arange(len(days)), positions, np.subtract(targets, walk[positions]))
    return np.exp(walk + correction)


def pe_ttm_series(days: pd.DatetimeIndex, rng: np.random.Generator) -> np.ndarray:
    # Valuation regimes of the index: rich at launch, a 2021 peak, the 2022
    # trough, and a 20-28x range since, ending at the report's 20.59x.
    shape_dates = [
        "2020-07-27",
        "2021-02-17",
        "2021-10-01",
        "2022-03-15",
        "2022-10-31",
        "2023-01-27",
        "2023-10-20",
        "2024-01-22",
        "2024-05-20",
        "2024-09-13",
        "2024-10-07",
        PE_DATE,
    ]
    shape_values = [36.0, 47.0, 31.0, 24.0, 18.6, 27.5, 21.5, 19.2, 25.5, 19.9, 26.5, PE_TODAY]
    positions = [days.get_indexer([pd.Timestamp(d)], method="nearest")[0] for d in shape_dates]
    trend = np.exp(np.interp(np.arange(len(days)), positions, np.log(shape_values)))
    noise = np.zeros(len(days))
    shocks = rng.normal(0.0, 0.012, len(days))
    for i in range(1, len(days)):
        noise[i] = 0.94 * noise[i - 1] + shocks[i]
    # Pin the noise to zero on the last day, so the series ends on the trend.
    base = np.log(trend) + noise - noise[-1] * np.linspace(0, 1, len(days))
    # A level shift that fades out over the last quarter moves every earlier
    # value alike, so the share below today's level can be set exactly
    # without bending the path; the last day stays at the report's value.
    taper = np.clip((len(days) - 1 - np.arange(len(days))) / 60.0, 0.0, 1.0)
    target_below = round(PE_PERCENTILE * len(days))

    def series(shift: float) -> np.ndarray:
        return np.round(np.exp(base + shift * taper), 2)

    def below(shift: float) -> int:
        return int(np.sum(series(shift) < PE_TODAY))

    low, high = -0.5, 0.5  # below() falls as the shift rises
    for _ in range(200):
        middle = (low + high) / 2
        if below(middle) > target_below:
            low = middle
        else:
            high = middle
    values = series(high)
    values[-1] = PE_TODAY
    share = float(np.mean(values < PE_TODAY))
    if round(share, 4) != PE_PERCENTILE:
        raise SystemExit(f"{len(values)} days cannot give {PE_PERCENTILE:.2%}: got {share:.4%}")
    return values


def main() -> None:
    rng = np.random.default_rng(SEED)
    anchors = pd.read_csv(DATA / "month_closes.csv", parse_dates=["start_date", "end_date"])
    close_days = trading_days(CLOSES_FROM, CLOSES_TO)
    frames = []
    for row in anchors.itertuples(index=False):
        vol = 0.012 if row.code.endswith((".HI", ".GI")) else 0.021
        closes = pinned_walk(
            close_days, {row.start_date: row.start_close, row.end_date: row.end_close}, vol, rng
        )
        frames.append(
            pd.DataFrame(
                {
                    "date": close_days,
                    "code": row.code,
                    "close": np.round(closes, 2),
                    "pe_ttm": np.nan,
                }
            )
        )
    pe_days = trading_days(LAUNCH, PE_DATE)
    frames.append(
        pd.DataFrame(
            {
                "date": pe_days,
                "code": "HSTECH.HI",
                "close": np.nan,
                "pe_ttm": pe_ttm_series(pe_days, rng),
            }
        )
    )
    history = pd.concat(frames)
    history = history.groupby(["date", "code"], as_index=False, sort=True).agg(
        {"close": "first", "pe_ttm": "first"}
    )
    history["date"] = history["date"].dt.strftime("%Y-%m-%d")
    history.to_csv(DATA / "history.csv", index=False, float_format="%.2f")
    print(f"wrote {len(history)} rows to {DATA / 'history.csv'}")


if __name__ == "__main__":
    main()
