// The fake Binance USDT-M account endpoints: balances (v2/v3), positions (v2/v3), leverage
// brackets and settings, and the two spot-side (sapi) calls ccxt makes in `loadMarkets()` with
// keys (wire format in fake_binance_trading.ts's header).

import type { FakeHookReply } from "./fake_rest_server.ts";
import type { BinanceBook, SymbolState } from "./fake_binance_book.ts";
import { bnError, dec, fix, missing, open, reply } from "./fake_binance_rows.ts";
import type { Route } from "./fake_binance_routes.ts";

type P = Record<string, string>;

/** One leverage bracket table for every symbol: [floor, cap, max leverage, maint ratio, cum]. */
const BRACKETS: [number, number, number, number, number][] = [
  [0, 50_000, 125, 0.004, 0],
  [50_000, 600_000, 100, 0.005, 50],
  [600_000, 3_000_000, 75, 0.0065, 950],
  [3_000_000, 12_000_000, 50, 0.01, 11_450],
  [12_000_000, 70_000_000, 25, 0.02, 131_450],
];
const MAX_LEVERAGE = 125;
const COINS = ["BNB", "BTC", "ETH", "USDC", "USDT"];

/** The account routes, keyed `METHOD path`, for fake_binance_routes.ts's table. */
export function accountRoutes(book: BinanceBook): Record<string, Route> {
  const q = (run: (p: P) => FakeHookReply): Route => ({ kind: "query", run });
  return {
    "GET /fapi/v3/account": q(() => reply(200, account(book, 3))),
    "GET /fapi/v2/account": q(() => reply(200, account(book, 2))),
    "GET /fapi/v2/balance": q(() => reply(200, balances(book))),
    "GET /fapi/v3/balance": q(() => reply(200, balances(book))),
    "GET /fapi/v3/positionRisk": q((p) => positionRisk(book, p, 3)),
    "GET /fapi/v2/positionRisk": q((p) => positionRisk(book, p, 2)),
    "GET /fapi/v1/leverageBracket": q((p) => leverageBracket(book, p)),
    "GET /fapi/v1/symbolConfig": q((p) => symbolConfig(book, p)),
    "GET /fapi/v1/commissionRate": q((p) => commissionRate(book, p)),
    "POST /fapi/v1/leverage": q((p) => setLeverage(book, p)),
    "POST /fapi/v1/marginType": q((p) => setMarginType(book, p)),
    "GET /fapi/v1/positionSide/dual": q(() => reply(200, { dualSidePosition: false })),
    "POST /fapi/v1/positionSide/dual": q((p) =>
      p.dualSidePosition === "true"
        ? bnError(-1000, "fake binance: hedge mode is not modelled")
        : bnError(-4059, "No need to change position side.")
    ),
    "GET /sapi/v1/capital/config/getall": q(() => reply(200, coins(book))),
    "GET /sapi/v1/margin/allPairs": q(() => reply(200, marginPairs(book))),
  };
}

/** The listed symbol ids, or `p.symbol` alone (undefined when unknown). */
function symbolsOf(book: BinanceBook, p: P): string[] | undefined {
  const listed = book.fake.listedMarkets("binanceusdm").map((m) => m.id);
  if (!p.symbol) return listed;
  return listed.includes(p.symbol) ? [p.symbol] : undefined;
}

/** Figures of one symbol's position at the current mark price. */
function positionFigures(book: BinanceBook, id: string, s: SymbolState) {
  const mark = book.markOf(id);
  const notional = s.amt * mark;
  const abs = Math.abs(notional);
  const b = BRACKETS.find((x) => abs < x[1]) ?? BRACKETS.at(-1)!;
  const upnl = s.amt * (mark - s.entry);
  let orderIm = 0, bid = 0, ask = 0;
  for (const o of book.orders) {
    if (o.symbol !== id || !open(o)) continue;
    const rest = (o.origQty - o.executedQty) * o.price;
    if (o.side === "BUY") bid += rest;
    else ask += rest;
    if (!o.reduceOnly) {
      orderIm += book.increase(id, o.side, o.origQty - o.executedQty) * o.price / s.leverage;
    }
  }
  return {
    mark,
    notional,
    upnl,
    positionIm: abs / s.leverage,
    orderIm,
    maint: s.amt === 0 ? 0 : Math.max(0, abs * b[3] - b[4]),
    bid,
    ask,
    isolatedMargin: s.marginType === "ISOLATED" && s.amt !== 0 ? s.isoWallet + upnl : 0,
  };
}

function account(book: BinanceBook, version: 2 | 3) {
  const f = book.figures();
  const places = (id: string) => book.places(id);
  let maint = 0;
  const positions = [];
  for (const id of book.fake.listedMarkets("binanceusdm").map((m) => m.id)) {
    const s = book.state(id);
    const x = positionFigures(book, id, s);
    maint += x.maint;
    if (version === 3 && s.amt === 0) continue;
    const row: Record<string, unknown> = {
      symbol: id,
      positionSide: "BOTH",
      positionAmt: s.amt.toFixed(places(id)[1]),
      unrealizedProfit: fix(x.upnl),
      isolatedMargin: fix(x.isolatedMargin),
      notional: fix(x.notional),
      isolatedWallet: fix(s.isoWallet),
      initialMargin: fix(x.positionIm + x.orderIm),
      maintMargin: fix(x.maint),
      updateTime: s.updateTime,
    };
    if (version === 2) {
      Object.assign(row, {
        positionInitialMargin: fix(x.positionIm),
        openOrderInitialMargin: fix(x.orderIm),
        leverage: String(s.leverage),
        isolated: s.marginType === "ISOLATED",
        entryPrice: dec(s.entry),
        breakEvenPrice: dec(s.entry),
        maxNotional: "50000000",
        bidNotional: fix(x.bid),
        askNotional: fix(x.ask),
      });
    }
    positions.push(row);
  }
  const money = {
    totalInitialMargin: fix(f.positionMargin + f.orderMargin),
    totalMaintMargin: fix(maint),
    totalWalletBalance: fix(f.wallet),
    totalUnrealizedProfit: fix(f.unrealizedPnl),
    totalMarginBalance: fix(f.marginBalance),
    totalPositionInitialMargin: fix(f.positionMargin),
    totalOpenOrderInitialMargin: fix(f.orderMargin),
    totalCrossWalletBalance: fix(f.crossWallet),
    totalCrossUnPnl: fix(f.crossUnPnl),
    availableBalance: fix(f.available),
    maxWithdrawAmount: fix(Math.max(0, f.available)),
  };
  const head = version === 2
    ? {
      feeTier: 0,
      feeBurn: false,
      canTrade: true,
      canDeposit: true,
      canWithdraw: true,
      updateTime: 0,
      multiAssetsMargin: false,
      tradeGroupId: -1,
    }
    : {};
  return { ...head, ...money, assets: assets(book, version), positions };
}

/** The `assets` rows: USDT with the margin figures, other wallets as plain balances. */
function assets(book: BinanceBook, version: 2 | 3) {
  const f = book.figures();
  const out = [];
  for (const [asset, wallet] of book.wallets) {
    const usdt = asset === "USDT";
    const im = usdt ? f.positionMargin + f.orderMargin : 0;
    out.push({
      asset,
      walletBalance: fix(wallet),
      unrealizedProfit: fix(usdt ? f.unrealizedPnl : 0),
      marginBalance: fix(usdt ? f.marginBalance : wallet),
      maintMargin: fix(0),
      initialMargin: fix(im),
      positionInitialMargin: fix(usdt ? f.positionMargin : 0),
      openOrderInitialMargin: fix(usdt ? f.orderMargin : 0),
      crossWalletBalance: fix(usdt ? f.crossWallet : wallet),
      crossUnPnl: fix(usdt ? f.crossUnPnl : 0),
      availableBalance: fix(usdt ? f.available : wallet),
      maxWithdrawAmount: fix(Math.max(0, usdt ? f.available : wallet)),
      ...(version === 2 ? { marginAvailable: true } : {}),
      updateTime: book.now,
    });
  }
  return out;
}

/** `GET /fapi/v2/balance` and `/fapi/v3/balance`. */
function balances(book: BinanceBook) {
  const f = book.figures();
  return [...book.wallets].map(([asset, wallet]) => {
    const usdt = asset === "USDT";
    return {
      accountAlias: "SgsRmYFzFzTi",
      asset,
      balance: fix(wallet),
      crossWalletBalance: fix(usdt ? f.crossWallet : wallet),
      crossUnPnl: fix(usdt ? f.crossUnPnl : 0),
      availableBalance: fix(usdt ? f.available : wallet),
      maxWithdrawAmount: fix(Math.max(0, usdt ? f.available : wallet)),
      marginAvailable: true,
      updateTime: book.now,
    };
  });
}

/** v3: symbols with a position or open orders; v2: every symbol, with leverage and margin type. */
function positionRisk(book: BinanceBook, p: P, version: 2 | 3): FakeHookReply {
  const ids = symbolsOf(book, p);
  if (!ids) return bnError(-1121, "Invalid symbol.");
  const rows = [];
  for (const id of ids) {
    const s = book.state(id);
    const hasOrders = book.orders.some((o) => o.symbol === id && open(o));
    if (version === 3 && s.amt === 0 && !hasOrders) continue;
    const x = positionFigures(book, id, s);
    const [pricePlaces, qtyPlaces] = book.places(id);
    const common = {
      symbol: id,
      positionSide: "BOTH",
      positionAmt: s.amt.toFixed(qtyPlaces),
      entryPrice: dec(s.entry),
      breakEvenPrice: dec(s.entry),
      markPrice: fix(x.mark, Math.max(pricePlaces, 8)),
      unRealizedProfit: fix(x.upnl),
      liquidationPrice: "0",
      isolatedMargin: fix(x.isolatedMargin),
      notional: fix(x.notional),
      isolatedWallet: fix(s.isoWallet),
      updateTime: s.updateTime,
    };
    rows.push(
      version === 3
        ? {
          ...common,
          marginAsset: "USDT",
          initialMargin: fix(x.positionIm + x.orderIm),
          maintMargin: fix(x.maint),
          positionInitialMargin: fix(x.positionIm),
          openOrderInitialMargin: fix(x.orderIm),
          adl: s.amt === 0 ? 0 : 1,
          bidNotional: fix(x.bid),
          askNotional: fix(x.ask),
        }
        : {
          ...common,
          leverage: String(s.leverage),
          maxNotionalValue: "50000000",
          marginType: s.marginType === "ISOLATED" ? "isolated" : "cross",
          isAutoAddMargin: "false",
          adlQuantile: s.amt === 0 ? 0 : 1,
        },
    );
  }
  return reply(200, rows);
}

function leverageBracket(book: BinanceBook, p: P): FakeHookReply {
  const ids = symbolsOf(book, p);
  if (!ids) return bnError(-1121, "Invalid symbol.");
  const rows = ids.map((symbol) => ({
    symbol,
    notionalCoef: 1.0,
    brackets: BRACKETS.map(([floor, cap, lev, ratio, cum], i) => ({
      bracket: i + 1,
      initialLeverage: lev,
      notionalCap: cap,
      notionalFloor: floor,
      maintMarginRatio: ratio,
      cum,
    })),
  }));
  return reply(200, p.symbol ? rows[0] : rows);
}

function symbolConfig(book: BinanceBook, p: P): FakeHookReply {
  const ids = symbolsOf(book, p);
  if (!ids) return bnError(-1121, "Invalid symbol.");
  return reply(
    200,
    ids.map((symbol) => {
      const s = book.state(symbol);
      return {
        symbol,
        marginType: s.marginType,
        isAutoAddMargin: "false",
        leverage: s.leverage,
        maxNotionalValue: "50000000",
      };
    }),
  );
}

function commissionRate(book: BinanceBook, p: P): FakeHookReply {
  if (!p.symbol) return missing("symbol");
  if (!book.inst(p.symbol)) return bnError(-1121, "Invalid symbol.");
  return reply(200, {
    symbol: p.symbol,
    makerCommissionRate: dec(book.fees.maker),
    takerCommissionRate: dec(book.fees.taker),
    rpiCommissionRate: "0",
  });
}

function setLeverage(book: BinanceBook, p: P): FakeHookReply {
  if (!p.symbol) return missing("symbol");
  if (!book.inst(p.symbol)) return bnError(-1121, "Invalid symbol.");
  if (!p.leverage) return missing("leverage");
  const n = Number(p.leverage);
  if (!Number.isInteger(n) || n < 1 || n > MAX_LEVERAGE) {
    return bnError(-4028, `Leverage ${p.leverage} is not valid`);
  }
  book.state(p.symbol).leverage = n;
  return reply(200, { leverage: n, maxNotionalValue: "50000000", symbol: p.symbol });
}

function setMarginType(book: BinanceBook, p: P): FakeHookReply {
  if (!p.symbol) return missing("symbol");
  if (!book.inst(p.symbol)) return bnError(-1121, "Invalid symbol.");
  if (!p.marginType) return missing("marginType");
  const want = p.marginType.toUpperCase();
  if (want !== "ISOLATED" && want !== "CROSSED") {
    return bnError(-1130, "Data sent for parameter 'marginType' is not valid.");
  }
  const s = book.state(p.symbol);
  if (s.marginType === want) return bnError(-4046, "No need to change margin type.");
  if (s.amt !== 0) {
    return bnError(-4048, "Margin type cannot be changed if there exists position.");
  }
  if (book.orders.some((o) => o.symbol === p.symbol && open(o))) {
    return bnError(-4047, "Margin type cannot be changed if there exists open orders.");
  }
  s.marginType = want;
  return reply(200, { code: 200, msg: "success" });
}

/** `GET /sapi/v1/capital/config/getall` (ccxt's fetchCurrencies): the wallets' and markets' coins. */
function coins(book: BinanceBook) {
  const markets = book.fake.listedMarkets("binanceusdm").map((m) => m.symbol.split("/")[0]);
  const codes = new Set([...COINS, ...markets, ...book.wallets.keys()]);
  return [...codes].sort().map((coin) => ({
    coin,
    depositAllEnable: true,
    withdrawAllEnable: true,
    name: coin,
    free: "0",
    locked: "0",
    freeze: "0",
    withdrawing: "0",
    ipoing: "0",
    ipoable: "0",
    storage: "0",
    isLegalMoney: false,
    trading: true,
    networkList: [{
      network: coin === "USDT" || coin === "USDC" ? "ETH" : coin,
      coin,
      withdrawIntegerMultiple: "0.00000001",
      isDefault: true,
      depositEnable: true,
      withdrawEnable: true,
      depositDesc: "",
      withdrawDesc: "",
      specialTips: "",
      name: coin,
      resetAddressStatus: false,
      addressRegex: "^(0x)[0-9A-Fa-f]{40}$",
      memoRegex: "",
      withdrawFee: "0.0005",
      withdrawMin: "0.001",
      withdrawMax: "10000000000",
      minConfirm: 12,
      unLockConfirm: 0,
      sameAddress: false,
      estimatedArrivalTime: 5,
      busy: false,
      contractAddressUrl: "",
      contractAddress: "",
    }],
  }));
}

/** `GET /sapi/v1/margin/allPairs`: a cross-margin pair per listed market. */
function marginPairs(book: BinanceBook) {
  return book.fake.listedMarkets("binanceusdm").map((m, i) => {
    const [base, quote] = m.symbol.split(/[/:]/);
    return {
      id: 351637150141315860 + i,
      symbol: m.id,
      base,
      quote,
      isMarginTrade: true,
      isBuyAllowed: true,
      isSellAllowed: true,
    };
  });
}
