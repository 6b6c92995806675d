/**
 * Generated from the Loupe API's OpenAPI document by client/generate.ts (openapi-typescript). Do not edit.
 */

export interface paths {
    "/healthz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Alive */
        get: operations["getHealth"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/readyz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Ready: a model is loaded and the database answers */
        get: operations["getReadiness"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/valuations": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Value one diamond
         * @description The price (USD, to the dollar), the range (rounded as people quote it) and the coverage it was calibrated to, the model version, the explanation (a typical stone's price, then each characteristic's effect as a factor and in dollars) and warnings, with the id under which the valuation is kept (GET /v1/valuations/{id}). `?explain=false` skips the explanation.
         */
        post: operations["createValuation"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/valuations/batch": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Value up to 1,000 diamonds
         * @description One result per stone, in the order sent: a valuation (with its own id), or the problems of that stone; a stone's `ref` comes back in its result. One bad stone does not sink the batch; every stone is valued by the same model.
         */
        post: operations["createValuationBatch"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/valuations/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A valuation as it was answered (the quote)
         * @description The valuation exactly as it was answered — price, range, model version, explanation, warnings, time — even after the model has changed, with the stone it valued and its batch ref. A key sees the valuations made with it (an admin key sees all); any other id is 404.
         */
        get: operations["getValuation"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/monitoring": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Live traffic and live accuracy (admin)
         * @description What this server valued over the last 24 hours (per hour and per partner key: stones valued, valuation time, the share with thin or beyond support, the drift of each of the nine characteristics from the champion's training stones: PSI, and KS for the numbers), and the champion's accuracy on each batch of new expert appraisals, measured by the pipeline runs, beside its accuracy on the rows it was promoted on. The traffic window is each server's own, in memory; the accuracy history is the database's.
         */
        get: operations["getMonitoring"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/diamonds/similar": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Stones most like a given one
         * @description The n stones in the database most like the given one, with the prices they were appraised at. mode=grades (default): the same cut, colour and clarity and the closest carat. mode=all: the closest over all nine characteristics, each standardised by its spread (needs depth, table, x, y and z too). A grade is read whatever its letter case and spacing (`ideal` as Ideal), with a `normalised` warning in the answer.
         */
        get: operations["findSimilarDiamonds"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/models": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Every model version
         * @description Every registered model, oldest first, with its metrics, the data snapshot it learned from and when it was promoted.
         */
        get: operations["listModels"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/models/current": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The model being served (the champion) */
        get: operations["getCurrentModel"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/models/{version}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One model version */
        get: operations["getModel"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/models/current/card": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The model card of the model being served (the champion's)
         * @description The model card written when the model was registered: accuracy on held-out rows, errors by segment, what drives its prices, drift. HTML with its charts inline (default) or Markdown.
         */
        get: operations["getCurrentModelCard"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/models/{version}/card": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * One model's model card
         * @description The model card written when the model was registered: accuracy on held-out rows, errors by segment, what drives its prices, drift. HTML with its charts inline (default) or Markdown.
         */
        get: operations["getModelCard"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/requests": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The request log (admin)
         * @description Every request and its answer, newest first: time, route, status, latency, key, model version, the bodies (truncated). Page with ?before=<nextBefore>. Filtered by status, route or requestId, one answer looks at no more than the 10,000 entries below `before` (the newest, without it): a page may hold fewer than `limit` matches, even none, while `nextBefore` is not null; null means nothing older is left to look at.
         */
        get: operations["listRequests"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/appraisals": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Recorded appraisals, with what the model says of each
         * @description Newest first (the newest submission first, from its last line up); filter by day, who, grade, and whether the expert's price is outside the current model's range. A page is `limit` rows from `offset`, or from `after` (an answer's `next`, which reads only the page however deep it lies). outside= must value each row with the model serving now, so one answer looks at no more than 2,000 recorded appraisals (`examined`) and counts the matches among them (`total`); `next` non-null says there are more to look at: send it as ?after=. ?format=csv exports every match as CSV, streamed 500 rows at a time (other requests are answered in between). A grade is read whatever its letter case and spacing (`ideal` as Ideal), with a `normalised` warning in the answer.
         */
        get: operations["listAppraisals"];
        put?: never;
        /**
         * Record an appraisal, or a CSV file of them
         * @description application/json: one stone with the expert's price; text/csv: a file (any column order, extra columns kept; ?name= names it). Every row is checked exactly as `loupe ingest` checks a file: accepted rows are stored with who recorded them and when, rejected rows are kept with their reasons until fixed or dismissed. A duplicate of a stored appraisal is rejected as such.
         */
        post: operations["recordAppraisals"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/appraisals/rejects": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Rejected rows waiting to be fixed or dismissed
         * @description Newest first (a submission's in file order), a page at a time (at most 1000); total says how many are open in all (of the submission, with ?submission=).
         */
        get: operations["listRejects"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/appraisals/rejects/{id}/fix": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Resubmit a rejected row, corrected
         * @description The corrected stone is recorded as a new submission and the rejected row is marked fixed by it, in one transaction; if the correction is rejected too, its new reasons are listed instead. A correction without any of the fields is a 400, and the row stays open.
         */
        post: operations["fixReject"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/appraisals/rejects/{id}/dismiss": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Dismiss a rejected row (it is no longer listed) */
        post: operations["dismissReject"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /** @description The same champion on the reference test rows, the rows it was promoted on. Runs recorded before 2026-12-05 kept its MAPE only. */
        AccuracyAtPromotion: {
            rows: number | null;
            /** @description USD. */
            mae: number | null;
            mape: number;
            /** @description %. */
            coverage: number | null;
        } | null;
        BatchItem: {
            /** @description Position of the stone in the request, from 0. */
            index: number;
            /** @description The ref the stone was sent with. */
            ref?: string;
            ok: boolean;
            valuation?: components["schemas"]["Valuation"];
            /** @description Why this stone could not be valued (when ok is false). */
            errors?: components["schemas"]["FieldProblem"][];
        };
        BatchResponse: {
            /** @description Every stone of a batch is valued by the same model. */
            modelVersion: string;
            valued: number;
            failed: number;
            /** @description One result per stone, in the order sent. */
            results: components["schemas"]["BatchItem"][];
        };
        /** @description Why the price is what it is: a typical stone's price, then each characteristic as a factor and in dollars. */
        Explanation: {
            /** @description The starting point, USD: the price of the typical stone, defined as the geometric mean of the model's prices for the stones it learned from (the appraisals named by the model's price basis, GET /v1/models/current). */
            typicalPrice: number;
            /** @description Each characteristic's effect, in the order a person reads them: size, cut, colour, clarity, proportions. */
            steps: {
                factor: "carat" | "cut" | "color" | "clarity" | "proportions";
                /** @description The characteristic as a person says it: "1.21 carat", "colour G". */
                label: string;
                /** @description What this characteristic alone does to a typical stone's price: the typical price times every step's multiplier is the price. It is not the ratio of priceAfter to the running total before the step (the dollars are shares of the gap, see dollars). */
                multiplier: number;
                /** @description The same effect in US dollars (to the cent): this factor's share of the gap between the typical price and the price, in proportion to its log contribution (the logarithmic-mean allocation). The steps add up to that gap exactly, do not depend on their order, and the biggest multiplier has the biggest dollar step. */
                dollars: number;
                /** @description The running total: the typical price plus the steps' dollars so far, USD. */
                priceAfter: number;
            }[];
            /** @description Where the steps end: the price before rounding, USD. */
            price: number;
            /** @description The explanation in one or two sentences for a client. */
            summary: string;
        };
        FieldProblem: {
            /** @description The field at fault, as a path into the input ("carat", "stones/3/cut"); "" for the whole body. */
            field: string;
            /** @description What was wrong, for programs: missing, wrong_type, out_of_range, unknown_grade, unknown_field, implausible_geometry, … */
            code: string;
            /** @description What was wrong, for people. */
            message: string;
            /** @description What is allowed. */
            allowed?: string;
            /** @description What was probably meant, when one reading is clear (never applied automatically). */
            suggestion?: string;
            /** @description Only on the entry with code more_problems: how many problems were left out of the list (at most 20 are listed per stone or request; in a batch, 2,000 in all, then the first problem of each further stone). */
            omitted?: number;
        };
        LiveAccuracyEntry: {
            runId: number;
            /** Format: date-time */
            finishedAt: string;
            champion: string;
            rows: number;
            /** @description Mean absolute error, USD. */
            mae: number;
            /** @description Mean absolute percentage error, %. */
            mape: number;
            /** @description % of the stones given a range whose price lies inside it. */
            coverage: number | null;
            /** @description The ranges' nominal coverage, %. */
            nominal: number;
            atPromotion: components["schemas"]["AccuracyAtPromotion"];
            /** @description By carat band and grade: each group present in the new appraisals (empty for older runs). */
            segments: components["schemas"]["SegmentAccuracy"][];
        };
        LoggedRequest: {
            id: number;
            at: string;
            method: string;
            route: string;
            url: string;
            status: number;
            latencyMs: number;
            keyId: number | null;
            keyName: string | null;
            modelVersion: string | null;
            requestBody: string | null;
            responseBody: string | null;
            /** @description The X-Request-Id of the answer. */
            requestId: string | null;
        };
        Model: {
            version: string;
            /** @description The model kind (hedonic, gbdt, …). */
            kind: string;
            createdAt: string;
            /** @description When it became the champion; null if never. */
            promotedAt: string | null;
            /** @description How it last became the champion, and why; null if it never served. */
            promotion: {
                action: "promote" | "rollback";
                /** @description The reason recorded: the pipeline's decision, or "manual: …" with the --reason of `loupe models promote` / `rollback`. */
                reason: string;
            } | null;
            isChampion: boolean;
            artifactSha256: string;
            /** @description The data snapshot it learned from. */
            trainingDataSha256: string;
            trainingRows: number;
            params: unknown;
            metrics: components["schemas"]["ModelMetrics"];
            priceBasis: components["schemas"]["PriceBasis"];
            durationMs: number;
            gitCommit: string | null;
            /** @description Why it was or was not promoted. */
            decision: string | null;
            /** @description Where its model card is (GET, same key), once the pipeline has written it. */
            modelCardUrl: string | null;
            /** @description GET /v1/models/current only, while this server serves this model: the heaviest stone it values, in carats (LOUPE_MAX_CARAT, else 1.5 × the heaviest stone the model learned from); a heavier one is refused with beyond_limit. */
            caratLimit?: number;
        };
        ModelAccuracy: {
            n: number;
            /** @description Mean absolute error, USD. */
            mae: number;
            /** @description Root mean squared error, USD. */
            rmse: number;
            /** @description Mean absolute percentage error, %. */
            mape: number;
            /** @description Median absolute percentage error, %. */
            mdape: number;
            /** @description null when undefined (e.g. no rows). */
            r2: number | null;
            range: {
                /** @description null when undefined (e.g. no rows). */
                coverage: number | null;
                /** @description The coverage the ranges were calibrated to, %. */
                nominal: number;
                /** @description null when undefined (e.g. no rows). */
                medianRelativeWidth: number | null;
                /** @description Stones given no range, left out of coverage and width. */
                withheld: number;
            };
            measuredOn: {
                /** @description reference-test: the frozen reference test split; newest-holdout: the fixed holdout of the newest files; evaluation: both together; new-appraisals: appraisals newer than the model; cross-validation: out-of-fold predictions inside the training rows; calibration-file: the holdout file given to loupe import-xgboost. */
                rows: "reference-test" | "newest-holdout" | "evaluation" | "new-appraisals" | "cross-validation" | "calibration-file";
                /** @description True only when no model being compared and no tuning saw these rows. */
                heldOut: boolean;
                /** @description What a screen shows beside the figure. */
                label: string;
            };
        };
        /** @description How good a model is, as the registry records it (contract version 2). */
        ModelMetrics: {
            /** @enum {number} */
            version: 2;
            origin: {
                /** @description What trained and registered the model. */
                by: "pipeline" | "loupe train" | "loupe import-xgboost";
                run: number | null;
                evaluationRowsLeftOut: boolean | null;
            };
            outOfFold: components["schemas"]["ModelAccuracy"] | null;
            evaluation: {
                referenceTest: components["schemas"]["ModelAccuracy"] | null;
                newest: components["schemas"]["ModelAccuracy"] | null;
                combined: components["schemas"]["ModelAccuracy"];
                /** @description Errors by carat bucket and grade, on the evaluation rows. */
                segments: {
                    by: string;
                    segment: string;
                    n: number;
                    mae: number;
                    mape: number;
                }[];
                /** @description Mean absolute effect of each factor on the price. */
                explanation: {
                    factor: string;
                    meanAbsEffectPct: number;
                }[];
            } | null;
            champion: {
                version: string;
                evaluation: {
                    referenceTest: components["schemas"]["ModelAccuracy"] | null;
                    newest: components["schemas"]["ModelAccuracy"] | null;
                    combined: components["schemas"]["ModelAccuracy"];
                    /** @description Errors by carat bucket and grade, on the evaluation rows. */
                    segments: {
                        by: string;
                        segment: string;
                        n: number;
                        mae: number;
                        mape: number;
                    }[];
                    /** @description Mean absolute effect of each factor on the price. */
                    explanation: {
                        factor: string;
                        meanAbsEffectPct: number;
                    }[];
                };
            } | null;
            evaluationRows: {
                referenceTest: number;
                newest: number;
                newestFiles: string[];
            } | null;
            tuning: {
                kind: string;
                params: {
                    [key: string]: unknown;
                };
                trials: {
                    source: "champion" | "defaults" | "search";
                    params: {
                        [key: string]: unknown;
                    };
                    /** @description Cross-validated MAE inside the training rows, USD. */
                    mae: number;
                    mape: number;
                    ms: number;
                }[];
                folds: number;
                budgetMs: number | null;
                spentMs: number;
                plannedTrials: number;
                chosen: number;
                stopped: "trials_done" | "budget" | "space_exhausted" | "no_search_space";
            } | null;
            drift: {
                baseline: string | null;
                baselineRows: number;
                newRows: number;
                newFiles: string[];
                features: {
                    feature: string;
                    kind: "number" | "grade";
                    /** @description null when undefined (e.g. no rows). */
                    psi: number | null;
                    level: "stable" | "moderate" | "large";
                    ks?: {
                        /** @description null when undefined (e.g. no rows). */
                        statistic: number | null;
                        /** @description null when undefined (e.g. no rows). */
                        pValue: number | null;
                    };
                    /** @description null when undefined (e.g. no rows). */
                    baselineMean?: number | null;
                    /** @description null when undefined (e.g. no rows). */
                    currentMean?: number | null;
                }[];
                performance: {
                    version: string;
                    onNew: components["schemas"]["ModelAccuracy"] | null;
                    onReferenceTest: components["schemas"]["ModelAccuracy"] | null;
                } | null;
                note?: string;
            } | null;
            snapshot: {
                sha256: string;
                rows: number;
                maxFileId: number;
            } | null;
            promotionRule: {
                metric: string;
                tolerance: number;
                coverageMarginPts: number;
            } | null;
        };
        Monitoring: {
            /** @description What this server valued in the window (in memory; each server of a fleet answers its own). */
            traffic: {
                /** @description The champion the window is measured against; null before the first valuation. */
                championVersion: string | null;
                /** @description What drift is measured against: the champion file's training distribution (all nine characteristics, PSI and KS), or, for a file written before 2026-12-05, its support histogram (carat, colour, clarity; PSI). Null before the first valuation. */
                driftReference: "distribution" | "support" | null;
                window: {
                    slotSeconds: number;
                    slots: number;
                    /** Format: date-time */
                    from: string;
                    /** Format: date-time */
                    to: string;
                };
                overall: components["schemas"]["TrafficSummary"];
                partners: {
                    /** @description The key id; 0: keyless (open server); -1: keys past the 64th, pooled. */
                    keyId: number;
                    name: string;
                    /** @description Stones valued in the window. */
                    valued: number;
                    /** @description Shares (0–1) of those stones by support: typical, thin (few training stones near), beyond. */
                    support: {
                        typical: number;
                        thin: number;
                        beyond: number;
                    };
                    /** @description All nine characteristics against a champion whose file carries its training distribution (trained since 2026-12-05); carat, colour and clarity (PSI only, from the support histogram) against an older one. Empty before the first valuation. */
                    drift: {
                        feature: "carat" | "cut" | "color" | "clarity" | "depth" | "table" | "x" | "y" | "z";
                        kind: "number" | "grade";
                        /** @description Stones of the window with this characteristic (stones valued from their 4Cs have no measurements). */
                        stones: number;
                        /** @description PSI of the window's stones against the champion's training stones, over the pipeline's bins (the training values' deciles; grades per grade): under 0.1 stable, 0.1–0.25 moderate, over 0.25 large. Null while the window holds no such stone. */
                        psi: number | null;
                        /** @description Numbers only, and only against a model file that carries its training distribution. */
                        ks: {
                            /** @description Two-sample Kolmogorov–Smirnov statistic (largest gap between the two distribution functions, 0–1), read on the artifact's grid of training quantiles: at most maxError below the exact statistic, never above it. Null while the window holds no such stone. */
                            statistic: number | null;
                            /** @description Asymptotic p-value of that statistic for the training and window sample sizes (the pipeline formula); never below the p-value of the exact statistic. */
                            pValue: number | null;
                            /** @description 1 / the number of quantiles of the grid (0.01). */
                            maxError: number;
                        } | null;
                    }[];
                }[];
                /** @description One entry per slot of the window, oldest first. */
                series: {
                    /** Format: date-time */
                    from: string;
                    valued: number;
                    /** @description Valuation calls (a batch is one). */
                    calls: number;
                    /** @description Mean time of a valuation call in the slot; null when none. */
                    meanValuationSeconds: number | null;
                }[];
            };
            accuracy: {
                /** @description The number of runs asked for (?runs). */
                runs: number;
                /** @description The champion measured on the appraisals new since its training data, one entry per pipeline run that had some, oldest first. */
                history: components["schemas"]["LiveAccuracyEntry"][];
            };
        };
        /** @description What every price is, the ones the model learned from and the ones it gives (valuations, ranges, the typical price): An expert appraiser's market value of the stone in US dollars of 2008: the basis of the reference data's prices and of every batch Loupe learns from. Not a retail asking price, and not adjusted for inflation to today's dollars. */
        PriceBasis: {
            /** @enum {string} */
            kind: "appraised market value";
            /** @enum {string} */
            currency: "USD";
            /**
             * @description The year whose US dollars the prices are in.
             * @enum {number}
             */
            dollarsOf: 2008;
            /** @description The basis in one sentence, for people. */
            description: string;
        };
        /** @description An RFC 9457 problem (application/problem+json). */
        Problem: {
            /** @description A URI reference naming the kind of problem; GET it for an explanation. */
            type: string;
            title: string;
            status: number;
            detail: string;
            instance?: string;
            errors?: components["schemas"]["FieldProblem"][];
        };
        /** @description The champion on one carat band or grade of the new appraisals, and on the same group at promotion. */
        SegmentAccuracy: {
            partition: "carat" | "cut" | "color" | "clarity";
            /** @description The carat band ("0.5–1 ct") or the grade. */
            group: string;
            rows: number;
            /** @description Mean absolute error, USD. */
            mae: number;
            /** @description Mean absolute percentage error, %. */
            mape: number;
            /** @description % of the stones given a range whose price lies inside it. */
            coverage: number | null;
            atPromotion: components["schemas"]["AccuracyAtPromotion"];
        };
        SimilarStone: {
            id: number;
            /**
             * @description Weight of the stone in carats (1 carat = 200 mg). Unit: ct. Allowed: 0.1 to 10.
             * @example 0.9
             */
            carat: number;
            /**
             * @description Quality of the cut, worst to best: Fair, Good, Very Good, Premium, Ideal.
             * @example Ideal
             */
            cut: "Fair" | "Good" | "Very Good" | "Premium" | "Ideal";
            /**
             * @description Colour grade, worst to best: J, I, H, G, F, E, D (D is colourless, the best).
             * @example G
             */
            color: "J" | "I" | "H" | "G" | "F" | "E" | "D";
            /**
             * @description Clarity grade, worst to best: I1, SI2, SI1, VS2, VS1, VVS2, VVS1, IF.
             * @example VS2
             */
            clarity: "I1" | "SI2" | "SI1" | "VS2" | "VS1" | "VVS2" | "VVS1" | "IF";
            /**
             * @description Total depth percentage: z / mean(x, y) × 100. Unit: %. Allowed: 40 to 80.
             * @example 61.8
             */
            depth: number;
            /**
             * @description Width of the top facet relative to the widest point, in percent. Unit: %. Allowed: 40 to 100.
             * @example 57
             */
            table: number;
            /**
             * @description Appraised market value in 2008 US dollars. Unit: USD. Allowed: 1 to 1000000.
             * @example 4200
             */
            price: number;
            /**
             * @description Length of the stone in millimetres. Unit: mm. Allowed: 1 to 20.
             * @example 6.2
             */
            x: number;
            /**
             * @description Width of the stone in millimetres. Unit: mm. Allowed: 1 to 20.
             * @example 6.24
             */
            y: number;
            /**
             * @description Height of the stone from table to culet in millimetres. Unit: mm. Allowed: 0.5 to 15.
             * @example 3.84
             */
            z: number;
            /** @description |Δcarat| in grades mode; the standardised distance over all characteristics in all mode. */
            distance: number;
        };
        /** @description The characteristics of a diamond: carat, cut, color and clarity are required; the five measurements (depth, table, x, y, z) are optional, all five or none. Without them the stone is valued from its 4Cs alone, with a wider range calibrated for such stones and a measurements_missing warning. A grade is read whatever its letter case and spacing (`ideal` as Ideal, with a normalised warning); a number must be a JSON number. */
        Stone: {
            /**
             * @description Weight of the stone in carats (1 carat = 200 mg). Unit: ct. Allowed: 0.1 to 10.
             * @example 0.9
             */
            carat: number;
            /**
             * @description Quality of the cut, worst to best: Fair, Good, Very Good, Premium, Ideal.
             * @example Ideal
             */
            cut: "Fair" | "Good" | "Very Good" | "Premium" | "Ideal";
            /**
             * @description Colour grade, worst to best: J, I, H, G, F, E, D (D is colourless, the best).
             * @example G
             */
            color: "J" | "I" | "H" | "G" | "F" | "E" | "D";
            /**
             * @description Clarity grade, worst to best: I1, SI2, SI1, VS2, VS1, VVS2, VVS1, IF.
             * @example VS2
             */
            clarity: "I1" | "SI2" | "SI1" | "VS2" | "VS1" | "VVS2" | "VVS1" | "IF";
            /**
             * @description Total depth percentage: z / mean(x, y) × 100. Unit: %. Allowed: 40 to 80.
             * @example 61.8
             */
            depth?: number;
            /**
             * @description Width of the top facet relative to the widest point, in percent. Unit: %. Allowed: 40 to 100.
             * @example 57
             */
            table?: number;
            /**
             * @description Length of the stone in millimetres. Unit: mm. Allowed: 1 to 20.
             * @example 6.2
             */
            x?: number;
            /**
             * @description Width of the stone in millimetres. Unit: mm. Allowed: 1 to 20.
             * @example 6.24
             */
            y?: number;
            /**
             * @description Height of the stone from table to culet in millimetres. Unit: mm. Allowed: 0.5 to 15.
             * @example 3.84
             */
            z?: number;
        };
        TrafficSummary: {
            /** @description Stones valued in the window. */
            valued: number;
            /** @description Shares (0–1) of those stones by support: typical, thin (few training stones near), beyond. */
            support: {
                typical: number;
                thin: number;
                beyond: number;
            };
            /** @description All nine characteristics against a champion whose file carries its training distribution (trained since 2026-12-05); carat, colour and clarity (PSI only, from the support histogram) against an older one. Empty before the first valuation. */
            drift: {
                feature: "carat" | "cut" | "color" | "clarity" | "depth" | "table" | "x" | "y" | "z";
                kind: "number" | "grade";
                /** @description Stones of the window with this characteristic (stones valued from their 4Cs have no measurements). */
                stones: number;
                /** @description PSI of the window's stones against the champion's training stones, over the pipeline's bins (the training values' deciles; grades per grade): under 0.1 stable, 0.1–0.25 moderate, over 0.25 large. Null while the window holds no such stone. */
                psi: number | null;
                /** @description Numbers only, and only against a model file that carries its training distribution. */
                ks: {
                    /** @description Two-sample Kolmogorov–Smirnov statistic (largest gap between the two distribution functions, 0–1), read on the artifact's grid of training quantiles: at most maxError below the exact statistic, never above it. Null while the window holds no such stone. */
                    statistic: number | null;
                    /** @description Asymptotic p-value of that statistic for the training and window sample sizes (the pipeline formula); never below the p-value of the exact statistic. */
                    pValue: number | null;
                    /** @description 1 / the number of quantiles of the grid (0.01). */
                    maxError: number;
                } | null;
            }[];
        };
        Valuation: {
            /** @description The stored valuation (the quote): GET /v1/valuations/{id} returns this answer as it was given, after the model changes too. Opaque; always present unless the server runs with LOUPE_STORE_VALUATIONS=0. */
            id?: string;
            /** @description When the valuation was made (ISO 8601, UTC); present with id. */
            valuedAt?: string;
            /** @description The estimated price in US dollars, to the dollar (where the explanation ends); the range bounds are rounded as people quote them ($1 under $1,000, $10 under $10,000, else $100). */
            price: number;
            /** @enum {string} */
            currency: "USD";
            /** @description How sure the price is; null when Loupe cannot back a range (the stone is beyond the data, or the range would span more than 4× from low to high), with a range_withheld warning saying which. */
            range: {
                low: number;
                high: number;
                /** @description The share of stones like this one whose true price falls in the range (calibrated on stones the model did not learn from, per carat band, cut, colour, clarity and support level). */
                coverage: number;
            } | null;
            /** @description How well the data the model learned from supports this stone. */
            support: {
                /** @description typical: at least 20 comparable training stones; thin: fewer (the range is calibrated for such stones); beyond: a characteristic lies outside what the model learned from, or no training stone is comparable (no range is given). */
                level: "typical" | "thin" | "beyond";
                /** @description Training stones within 10% of its carat and one grade of its colour and of its clarity. */
                comparableStones: number;
                /** @description The support in one sentence for people. */
                summary: string;
            };
            /** @description The model that made this valuation. */
            modelVersion: string;
            explanation?: components["schemas"]["Explanation"];
            /** @description One per cause, each with a stable code; e.g. a stone outside the range the model learned from. */
            warnings: components["schemas"]["Warning"][];
        };
        Warning: {
            /**
             * @description One code per cause, stable:
             *     - `outside_training_range`: One or more characteristics lie outside the range of the stones the model learned from; `field` names them all (comma-separated). The price is an extrapolation.
             *     - `above_price_ceiling`: The price is above the highest price among the stones the model learned from: their prices stop there (the data show a ceiling), so this price carries the trend in carat past what the data show and may be far off. The message gives both prices.
             *     - `thin_support`: Few training stones are comparable to this one (support.comparableStones); the range is calibrated for such stones and is wider.
             *     - `measurements_missing`: The stone was valued from its 4Cs alone (no depth, table, x, y, z): typical proportions for its weight were assumed, and the range is calibrated for such stones and wider. The message says by how much, as measured.
             *     - `normalised`: A grade was given in another letter case or spacing (`ideal`, `g`) and read as the grade of the scale: `field` names it, `given` is the value as sent, `used` the grade used. Numbers are never repaired (a decimal comma is a 400 with a suggestion).
             *     - `range_withheld`: Loupe gives no range (range is null): the stone is beyond the data, or a 90% range would span more than 4× from low to high. The message says which.
             * @enum {unknown}
             */
            code: "outside_training_range" | "above_price_ceiling" | "thin_support" | "measurements_missing" | "normalised" | "range_withheld";
            /** @description The field or fields concerned, comma-separated. */
            field?: string;
            message: string;
            /** @description For `normalised`: the value as it was sent. */
            given?: string;
            /** @description For `normalised`: the value the valuation used. */
            used?: string;
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    getHealth: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "status": "ok"
                     *     }
                     */
                    "application/json": {
                        status: string;
                    };
                };
            };
            /** @description The input is not valid (or the body is not JSON): each problem names the field, what was wrong and what is allowed. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Something failed inside Loupe (logged with the X-Request-Id); the request can be retried. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getReadiness: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "status": "ready",
                     *       "modelVersion": "v0001",
                     *       "database": "ok"
                     *     }
                     */
                    "application/json": {
                        status: string;
                        modelVersion: string | null;
                        database: string;
                    };
                };
            };
            /** @description The input is not valid (or the body is not JSON): each problem names the field, what was wrong and what is allowed. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Something failed inside Loupe (logged with the X-Request-Id); the request can be retried. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not ready yet. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    createValuation: {
        parameters: {
            query?: {
                /** @description false skips the explanation (faster, smaller). */
                explain?: boolean;
            };
            header?: {
                /** @description Makes a retry safe: the same key and request within 24 hours get the first answer again (same ids); 1 to 255 characters without control characters, e.g. a UUID. */
                "idempotency-key"?: string;
            };
            path?: never;
            cookie?: never;
        };
        /** @description The characteristics of a diamond: carat, cut, color and clarity are required; the five measurements (depth, table, x, y, z) are optional, all five or none. Without them the stone is valued from its 4Cs alone, with a wider range calibrated for such stones and a measurements_missing warning. A grade is read whatever its letter case and spacing (`ideal` as Ideal, with a normalised warning); a number must be a JSON number. */
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "carat": 0.9,
                 *       "cut": "Ideal",
                 *       "color": "G",
                 *       "clarity": "VS2",
                 *       "depth": 61.8,
                 *       "table": 57,
                 *       "x": 6.2,
                 *       "y": 6.24,
                 *       "z": 3.84
                 *     }
                 */
                "application/json": components["schemas"]["Stone"];
            };
        };
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "val_3q2-7wFhQjKXbT0sYl9mAw",
                     *       "valuedAt": "2026-12-04T15:00:00.000Z",
                     *       "price": 4530,
                     *       "currency": "USD",
                     *       "range": {
                     *         "low": 3940,
                     *         "high": 5210,
                     *         "coverage": 0.9
                     *       },
                     *       "support": {
                     *         "level": "typical",
                     *         "comparableStones": 140,
                     *         "summary": "Well supported: 140 training stones within 10% of its carat and one grade of its colour and clarity."
                     *       },
                     *       "modelVersion": "v0001",
                     *       "explanation": {
                     *         "typicalPrice": 2400.29,
                     *         "steps": [
                     *           {
                     *             "factor": "carat",
                     *             "label": "0.9 carat",
                     *             "multiplier": 1.7564,
                     *             "dollars": 1888.84,
                     *             "priceAfter": 4289.13
                     *           },
                     *           {
                     *             "factor": "cut",
                     *             "label": "Ideal cut",
                     *             "multiplier": 1.0324,
                     *             "dollars": 106.96,
                     *             "priceAfter": 4396.09
                     *           },
                     *           {
                     *             "factor": "color",
                     *             "label": "colour G",
                     *             "multiplier": 1.0021,
                     *             "dollars": 7.07,
                     *             "priceAfter": 4403.16
                     *           },
                     *           {
                     *             "factor": "clarity",
                     *             "label": "clarity VS2",
                     *             "multiplier": 1.0382,
                     *             "dollars": 125.79,
                     *             "priceAfter": 4528.95
                     *           },
                     *           {
                     *             "factor": "proportions",
                     *             "label": "depth 61.8%, table 57%",
                     *             "multiplier": 1.0004,
                     *             "dollars": 1.47,
                     *             "priceAfter": 4530.42
                     *           }
                     *         ],
                     *         "price": 4530.42,
                     *         "summary": "Loupe starts from the typical stone, $2,400 (the geometric mean of the model's prices for the stones it learned from). The biggest effect is 0.9 carat: on its own it would make a typical stone's price 76% higher (×1.76). Next is clarity VS2: on its own, 4% higher (×1.04). Together the characteristics bring it to $4,530."
                     *       },
                     *       "warnings": []
                     *     }
                     */
                    "application/json": components["schemas"]["Valuation"];
                };
            };
            /** @description The input is not valid: each problem names the field, what was wrong and what is allowed. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No valid API key. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The key lacks the scope this endpoint needs. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The Idempotency-Key was used in the last 24 hours with a different request. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is larger than the endpoint accepts. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is not JSON (Content-Type: application/json), or it is compressed (/problems/unsupported-encoding: only identity is accepted). */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The stone is valid but beyond the limit of what Loupe prices (a carat limit; the errors list names it). */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The key's rate limit is used up; see Retry-After. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Something failed inside Loupe (logged with the X-Request-Id); the request can be retried. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No model loaded yet. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    createValuationBatch: {
        parameters: {
            query?: {
                /** @description false skips the explanation (faster, smaller). */
                explain?: boolean;
            };
            header?: {
                /** @description Makes a retry safe: the same key and request within 24 hours get the first answer again (same ids); 1 to 255 characters without control characters, e.g. a UUID. */
                "idempotency-key"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "stones": [
                 *         {
                 *           "carat": 0.9,
                 *           "cut": "Ideal",
                 *           "color": "G",
                 *           "clarity": "VS2",
                 *           "depth": 61.8,
                 *           "table": 57,
                 *           "x": 6.2,
                 *           "y": 6.24,
                 *           "z": 3.84,
                 *           "ref": "lot-17"
                 *         },
                 *         {
                 *           "carat": 1.5,
                 *           "cut": "Ideal",
                 *           "color": "G",
                 *           "clarity": "VS2",
                 *           "depth": 61.8,
                 *           "table": 57,
                 *           "x": 7.3,
                 *           "y": 7.35,
                 *           "z": 4.52
                 *         }
                 *       ]
                 *     }
                 */
                "application/json": {
                    /** @description The stones to value; each is checked on its own. */
                    stones: {
                        /**
                         * @description Weight of the stone in carats (1 carat = 200 mg). Unit: ct. Allowed: 0.1 to 10.
                         * @example 0.9
                         */
                        carat: number;
                        /**
                         * @description Quality of the cut, worst to best: Fair, Good, Very Good, Premium, Ideal.
                         * @example Ideal
                         */
                        cut: "Fair" | "Good" | "Very Good" | "Premium" | "Ideal";
                        /**
                         * @description Colour grade, worst to best: J, I, H, G, F, E, D (D is colourless, the best).
                         * @example G
                         */
                        color: "J" | "I" | "H" | "G" | "F" | "E" | "D";
                        /**
                         * @description Clarity grade, worst to best: I1, SI2, SI1, VS2, VS1, VVS2, VVS1, IF.
                         * @example VS2
                         */
                        clarity: "I1" | "SI2" | "SI1" | "VS2" | "VS1" | "VVS2" | "VVS1" | "IF";
                        /**
                         * @description Total depth percentage: z / mean(x, y) × 100. Unit: %. Allowed: 40 to 80.
                         * @example 61.8
                         */
                        depth?: number;
                        /**
                         * @description Width of the top facet relative to the widest point, in percent. Unit: %. Allowed: 40 to 100.
                         * @example 57
                         */
                        table?: number;
                        /**
                         * @description Length of the stone in millimetres. Unit: mm. Allowed: 1 to 20.
                         * @example 6.2
                         */
                        x?: number;
                        /**
                         * @description Width of the stone in millimetres. Unit: mm. Allowed: 1 to 20.
                         * @example 6.24
                         */
                        y?: number;
                        /**
                         * @description Height of the stone from table to culet in millimetres. Unit: mm. Allowed: 0.5 to 15.
                         * @example 3.84
                         */
                        z?: number;
                        /** @description Your own reference for this stone (at most 100 characters), returned with its result and stored with its valuation. */
                        ref?: string;
                    }[];
                };
            };
        };
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "modelVersion": "v0001",
                     *       "valued": 1,
                     *       "failed": 1,
                     *       "results": [
                     *         {
                     *           "index": 0,
                     *           "ref": "lot-17",
                     *           "ok": true,
                     *           "valuation": {
                     *             "id": "val_3q2-7wFhQjKXbT0sYl9mAw",
                     *             "valuedAt": "2026-12-04T15:00:00.000Z",
                     *             "price": 4530,
                     *             "currency": "USD",
                     *             "range": {
                     *               "low": 3940,
                     *               "high": 5210,
                     *               "coverage": 0.9
                     *             },
                     *             "support": {
                     *               "level": "typical",
                     *               "comparableStones": 140,
                     *               "summary": "Well supported: 140 training stones within 10% of its carat and one grade of its colour and clarity."
                     *             },
                     *             "modelVersion": "v0001",
                     *             "explanation": {
                     *               "typicalPrice": 2400.29,
                     *               "steps": [
                     *                 {
                     *                   "factor": "carat",
                     *                   "label": "0.9 carat",
                     *                   "multiplier": 1.7564,
                     *                   "dollars": 1888.84,
                     *                   "priceAfter": 4289.13
                     *                 },
                     *                 {
                     *                   "factor": "cut",
                     *                   "label": "Ideal cut",
                     *                   "multiplier": 1.0324,
                     *                   "dollars": 106.96,
                     *                   "priceAfter": 4396.09
                     *                 },
                     *                 {
                     *                   "factor": "color",
                     *                   "label": "colour G",
                     *                   "multiplier": 1.0021,
                     *                   "dollars": 7.07,
                     *                   "priceAfter": 4403.16
                     *                 },
                     *                 {
                     *                   "factor": "clarity",
                     *                   "label": "clarity VS2",
                     *                   "multiplier": 1.0382,
                     *                   "dollars": 125.79,
                     *                   "priceAfter": 4528.95
                     *                 },
                     *                 {
                     *                   "factor": "proportions",
                     *                   "label": "depth 61.8%, table 57%",
                     *                   "multiplier": 1.0004,
                     *                   "dollars": 1.47,
                     *                   "priceAfter": 4530.42
                     *                 }
                     *               ],
                     *               "price": 4530.42,
                     *               "summary": "Loupe starts from the typical stone, $2,400 (the geometric mean of the model's prices for the stones it learned from). The biggest effect is 0.9 carat: on its own it would make a typical stone's price 76% higher (×1.76). Next is clarity VS2: on its own, 4% higher (×1.04). Together the characteristics bring it to $4,530."
                     *             },
                     *             "warnings": []
                     *           }
                     *         },
                     *         {
                     *           "index": 1,
                     *           "ok": false,
                     *           "errors": [
                     *             {
                     *               "field": "stones/1/carat",
                     *               "code": "out_of_range",
                     *               "message": "Carat 12 ct is out of range; allowed is 0.1 to 10 ct.",
                     *               "allowed": "a number from 0.1 to 10 ct"
                     *             }
                     *           ]
                     *         }
                     *       ]
                     *     }
                     */
                    "application/json": components["schemas"]["BatchResponse"];
                };
            };
            /** @description The input is not valid: each problem names the field, what was wrong and what is allowed. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No valid API key. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The key lacks the scope this endpoint needs. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The Idempotency-Key was used in the last 24 hours with a different request. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is larger than 1 MiB. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is not JSON (Content-Type: application/json), or it is compressed (/problems/unsupported-encoding: only identity is accepted). */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The stone is valid but beyond the limit of what Loupe prices (a carat limit; the errors list names it). */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The key's rate limit is used up; see Retry-After. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Something failed inside Loupe (logged with the X-Request-Id); the request can be retried. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No model loaded yet. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getValuation: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @example val_3q2-7wFhQjKXbT0sYl9mAw */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "valuation": {
                     *         "id": "val_3q2-7wFhQjKXbT0sYl9mAw",
                     *         "valuedAt": "2026-12-04T15:00:00.000Z",
                     *         "price": 4530,
                     *         "currency": "USD",
                     *         "range": {
                     *           "low": 3940,
                     *           "high": 5210,
                     *           "coverage": 0.9
                     *         },
                     *         "support": {
                     *           "level": "typical",
                     *           "comparableStones": 140,
                     *           "summary": "Well supported: 140 training stones within 10% of its carat and one grade of its colour and clarity."
                     *         },
                     *         "modelVersion": "v0001",
                     *         "explanation": {
                     *           "typicalPrice": 2400.29,
                     *           "steps": [
                     *             {
                     *               "factor": "carat",
                     *               "label": "0.9 carat",
                     *               "multiplier": 1.7564,
                     *               "dollars": 1888.84,
                     *               "priceAfter": 4289.13
                     *             },
                     *             {
                     *               "factor": "cut",
                     *               "label": "Ideal cut",
                     *               "multiplier": 1.0324,
                     *               "dollars": 106.96,
                     *               "priceAfter": 4396.09
                     *             },
                     *             {
                     *               "factor": "color",
                     *               "label": "colour G",
                     *               "multiplier": 1.0021,
                     *               "dollars": 7.07,
                     *               "priceAfter": 4403.16
                     *             },
                     *             {
                     *               "factor": "clarity",
                     *               "label": "clarity VS2",
                     *               "multiplier": 1.0382,
                     *               "dollars": 125.79,
                     *               "priceAfter": 4528.95
                     *             },
                     *             {
                     *               "factor": "proportions",
                     *               "label": "depth 61.8%, table 57%",
                     *               "multiplier": 1.0004,
                     *               "dollars": 1.47,
                     *               "priceAfter": 4530.42
                     *             }
                     *           ],
                     *           "price": 4530.42,
                     *           "summary": "Loupe starts from the typical stone, $2,400 (the geometric mean of the model's prices for the stones it learned from). The biggest effect is 0.9 carat: on its own it would make a typical stone's price 76% higher (×1.76). Next is clarity VS2: on its own, 4% higher (×1.04). Together the characteristics bring it to $4,530."
                     *         },
                     *         "warnings": []
                     *       },
                     *       "stone": {
                     *         "carat": 0.9,
                     *         "cut": "Ideal",
                     *         "color": "G",
                     *         "clarity": "VS2",
                     *         "depth": 61.8,
                     *         "table": 57,
                     *         "x": 6.2,
                     *         "y": 6.24,
                     *         "z": 3.84
                     *       }
                     *     }
                     */
                    "application/json": {
                        valuation: components["schemas"]["Valuation"];
                        stone: components["schemas"]["Stone"];
                        /** @description The ref the stone was sent with in a batch. */
                        ref?: string;
                    };
                };
            };
            /** @description The input is not valid (or the body is not JSON): each problem names the field, what was wrong and what is allowed. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No valid API key. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The key lacks the scope this endpoint needs. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No valuation with this id that this key may see. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The key's rate limit is used up; see Retry-After. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Something failed inside Loupe (logged with the X-Request-Id); the request can be retried. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No model is loaded yet, or the database cannot be reached; retry after Retry-After. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getMonitoring: {
        parameters: {
            query?: {
                /** @description How many of the last pipeline runs that measured the champion to return in accuracy.history. */
                runs?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "traffic": {
                     *         "championVersion": "v0003",
                     *         "driftReference": "distribution",
                     *         "window": {
                     *           "slotSeconds": 3600,
                     *           "slots": 24,
                     *           "from": "2026-12-04T12:00:00.000Z",
                     *           "to": "2026-12-05T12:00:00.000Z"
                     *         },
                     *         "overall": {
                     *           "valued": 1200,
                     *           "support": {
                     *             "typical": 0.94,
                     *             "thin": 0.05,
                     *             "beyond": 0.01
                     *           },
                     *           "drift": [
                     *             {
                     *               "feature": "carat",
                     *               "kind": "number",
                     *               "stones": 1200,
                     *               "psi": 0.012,
                     *               "ks": {
                     *                 "statistic": 0.031,
                     *                 "pValue": 0.21,
                     *                 "maxError": 0.01
                     *               }
                     *             },
                     *             {
                     *               "feature": "cut",
                     *               "kind": "grade",
                     *               "stones": 1200,
                     *               "psi": 0.006,
                     *               "ks": null
                     *             },
                     *             {
                     *               "feature": "color",
                     *               "kind": "grade",
                     *               "stones": 1200,
                     *               "psi": 0.031,
                     *               "ks": null
                     *             },
                     *             {
                     *               "feature": "clarity",
                     *               "kind": "grade",
                     *               "stones": 1200,
                     *               "psi": 0.008,
                     *               "ks": null
                     *             },
                     *             {
                     *               "feature": "depth",
                     *               "kind": "number",
                     *               "stones": 1150,
                     *               "psi": 0.019,
                     *               "ks": {
                     *                 "statistic": 0.028,
                     *                 "pValue": 0.33,
                     *                 "maxError": 0.01
                     *               }
                     *             },
                     *             {
                     *               "feature": "table",
                     *               "kind": "number",
                     *               "stones": 1150,
                     *               "psi": 0.015,
                     *               "ks": {
                     *                 "statistic": 0.034,
                     *                 "pValue": 0.15,
                     *                 "maxError": 0.01
                     *               }
                     *             },
                     *             {
                     *               "feature": "x",
                     *               "kind": "number",
                     *               "stones": 1150,
                     *               "psi": 0.011,
                     *               "ks": {
                     *                 "statistic": 0.025,
                     *                 "pValue": 0.47,
                     *                 "maxError": 0.01
                     *               }
                     *             },
                     *             {
                     *               "feature": "y",
                     *               "kind": "number",
                     *               "stones": 1150,
                     *               "psi": 0.012,
                     *               "ks": {
                     *                 "statistic": 0.026,
                     *                 "pValue": 0.42,
                     *                 "maxError": 0.01
                     *               }
                     *             },
                     *             {
                     *               "feature": "z",
                     *               "kind": "number",
                     *               "stones": 1150,
                     *               "psi": 0.013,
                     *               "ks": {
                     *                 "statistic": 0.027,
                     *                 "pValue": 0.38,
                     *                 "maxError": 0.01
                     *               }
                     *             }
                     *           ]
                     *         },
                     *         "partners": [
                     *           {
                     *             "keyId": 1,
                     *             "name": "ACME",
                     *             "valued": 1200,
                     *             "support": {
                     *               "typical": 0.94,
                     *               "thin": 0.05,
                     *               "beyond": 0.01
                     *             },
                     *             "drift": [
                     *               {
                     *                 "feature": "carat",
                     *                 "kind": "number",
                     *                 "stones": 1200,
                     *                 "psi": 0.012,
                     *                 "ks": {
                     *                   "statistic": 0.031,
                     *                   "pValue": 0.21,
                     *                   "maxError": 0.01
                     *                 }
                     *               },
                     *               {
                     *                 "feature": "cut",
                     *                 "kind": "grade",
                     *                 "stones": 1200,
                     *                 "psi": 0.006,
                     *                 "ks": null
                     *               },
                     *               {
                     *                 "feature": "color",
                     *                 "kind": "grade",
                     *                 "stones": 1200,
                     *                 "psi": 0.031,
                     *                 "ks": null
                     *               },
                     *               {
                     *                 "feature": "clarity",
                     *                 "kind": "grade",
                     *                 "stones": 1200,
                     *                 "psi": 0.008,
                     *                 "ks": null
                     *               },
                     *               {
                     *                 "feature": "depth",
                     *                 "kind": "number",
                     *                 "stones": 1150,
                     *                 "psi": 0.019,
                     *                 "ks": {
                     *                   "statistic": 0.028,
                     *                   "pValue": 0.33,
                     *                   "maxError": 0.01
                     *                 }
                     *               },
                     *               {
                     *                 "feature": "table",
                     *                 "kind": "number",
                     *                 "stones": 1150,
                     *                 "psi": 0.015,
                     *                 "ks": {
                     *                   "statistic": 0.034,
                     *                   "pValue": 0.15,
                     *                   "maxError": 0.01
                     *                 }
                     *               },
                     *               {
                     *                 "feature": "x",
                     *                 "kind": "number",
                     *                 "stones": 1150,
                     *                 "psi": 0.011,
                     *                 "ks": {
                     *                   "statistic": 0.025,
                     *                   "pValue": 0.47,
                     *                   "maxError": 0.01
                     *                 }
                     *               },
                     *               {
                     *                 "feature": "y",
                     *                 "kind": "number",
                     *                 "stones": 1150,
                     *                 "psi": 0.012,
                     *                 "ks": {
                     *                   "statistic": 0.026,
                     *                   "pValue": 0.42,
                     *                   "maxError": 0.01
                     *                 }
                     *               },
                     *               {
                     *                 "feature": "z",
                     *                 "kind": "number",
                     *                 "stones": 1150,
                     *                 "psi": 0.013,
                     *                 "ks": {
                     *                   "statistic": 0.027,
                     *                   "pValue": 0.38,
                     *                   "maxError": 0.01
                     *                 }
                     *               }
                     *             ]
                     *           }
                     *         ],
                     *         "series": [
                     *           {
                     *             "from": "2026-12-05T11:00:00.000Z",
                     *             "valued": 1200,
                     *             "calls": 40,
                     *             "meanValuationSeconds": 0.0042
                     *           }
                     *         ]
                     *       },
                     *       "accuracy": {
                     *         "runs": 50,
                     *         "history": [
                     *           {
                     *             "runId": 7,
                     *             "finishedAt": "2026-12-01T06:00:04.000Z",
                     *             "champion": "v0003",
                     *             "rows": 1984,
                     *             "mae": 301.2,
                     *             "mape": 7.91,
                     *             "coverage": 89.6,
                     *             "nominal": 90,
                     *             "atPromotion": {
                     *               "rows": 998,
                     *               "mae": 289.5,
                     *               "mape": 7.62,
                     *               "coverage": 90.3
                     *             },
                     *             "segments": [
                     *               {
                     *                 "partition": "carat",
                     *                 "group": "0.5–1 ct",
                     *                 "rows": 640,
                     *                 "mae": 210.4,
                     *                 "mape": 7.4,
                     *                 "coverage": 90.1,
                     *                 "atPromotion": {
                     *                   "rows": 322,
                     *                   "mae": 201.7,
                     *                   "mape": 7.1,
                     *                   "coverage": 91
                     *                 }
                     *               }
                     *             ]
                     *           }
                     *         ]
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Monitoring"];
                };
            };
            /** @description The input is not valid (or the body is not JSON): each problem names the field, what was wrong and what is allowed. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No valid API key. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The key lacks the scope this endpoint needs. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The key's rate limit is used up; see Retry-After. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Something failed inside Loupe (logged with the X-Request-Id); the request can be retried. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No model is loaded yet, or the database cannot be reached; retry after Retry-After. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    findSimilarDiamonds: {
        parameters: {
            query: {
                /**
                 * @description Weight of the stone in carats (1 carat = 200 mg). Unit: ct. Allowed: 0.1 to 10.
                 * @example 0.9
                 */
                carat: number;
                /**
                 * @description Quality of the cut, worst to best: Fair, Good, Very Good, Premium, Ideal.
                 * @example Ideal
                 */
                cut: "Fair" | "Good" | "Very Good" | "Premium" | "Ideal";
                /**
                 * @description Colour grade, worst to best: J, I, H, G, F, E, D (D is colourless, the best).
                 * @example G
                 */
                color: "J" | "I" | "H" | "G" | "F" | "E" | "D";
                /**
                 * @description Clarity grade, worst to best: I1, SI2, SI1, VS2, VS1, VVS2, VVS1, IF.
                 * @example VS2
                 */
                clarity: "I1" | "SI2" | "SI1" | "VS2" | "VS1" | "VVS2" | "VVS1" | "IF";
                /**
                 * @description Total depth percentage: z / mean(x, y) × 100. Unit: %. Allowed: 40 to 80.
                 * @example 61.8
                 */
                depth?: number;
                /**
                 * @description Width of the top facet relative to the widest point, in percent. Unit: %. Allowed: 40 to 100.
                 * @example 57
                 */
                table?: number;
                /**
                 * @description Length of the stone in millimetres. Unit: mm. Allowed: 1 to 20.
                 * @example 6.2
                 */
                x?: number;
                /**
                 * @description Width of the stone in millimetres. Unit: mm. Allowed: 1 to 20.
                 * @example 6.24
                 */
                y?: number;
                /**
                 * @description Height of the stone from table to culet in millimetres. Unit: mm. Allowed: 0.5 to 15.
                 * @example 3.84
                 */
                z?: number;
                /** @description How many stones (1 to 50). */
                n?: number;
                /** @description grades: the same cut, colour and clarity and the closest carat. all: closest over all nine characteristics (needs depth, table, x, y, z). */
                mode?: "grades" | "all";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "mode": "grades",
                     *       "count": 1,
                     *       "stones": [
                     *         {
                     *           "id": 4536,
                     *           "carat": 0.81,
                     *           "cut": "Ideal",
                     *           "color": "G",
                     *           "clarity": "VS2",
                     *           "depth": 61.5,
                     *           "table": 55,
                     *           "price": 3397,
                     *           "x": 6,
                     *           "y": 6.06,
                     *           "z": 3.71,
                     *           "distance": 0.09
                     *         }
                     *       ]
                     *     }
                     */
                    "application/json": {
                        mode: "grades" | "all";
                        count: number;
                        /** @description Most similar first, with the price each was appraised at. */
                        stones: components["schemas"]["SimilarStone"][];
                        /** @description Present when a grade of the query was read in another spelling (`normalised`). */
                        warnings?: components["schemas"]["Warning"][];
                    };
                };
            };
            /** @description The query is not valid. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No valid API key. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The key lacks the scope this endpoint needs. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The key's rate limit is used up; see Retry-After. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Something failed inside Loupe (logged with the X-Request-Id); the request can be retried. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many searches are waiting (at most 64: busy), or the database cannot be reached (not-ready); retry after Retry-After. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    listModels: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "champion": "v0001",
                     *       "models": [
                     *         {
                     *           "version": "v0001",
                     *           "kind": "gbdt",
                     *           "createdAt": "2026-11-26T16:00:00.000Z",
                     *           "promotedAt": "2026-11-26T16:00:01.000Z",
                     *           "promotion": {
                     *             "action": "promote",
                     *             "reason": "no champion yet: v0001 becomes the first champion"
                     *           },
                     *           "isChampion": true,
                     *           "artifactSha256": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                     *           "trainingDataSha256": "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
                     *           "trainingRows": 3987,
                     *           "params": {},
                     *           "metrics": {
                     *             "version": 2,
                     *             "origin": {
                     *               "by": "pipeline",
                     *               "run": 1,
                     *               "evaluationRowsLeftOut": true
                     *             },
                     *             "outOfFold": {
                     *               "n": 3987,
                     *               "mae": 288,
                     *               "rmse": 547.1999999999999,
                     *               "mape": 7.1,
                     *               "mdape": 4.9,
                     *               "r2": 0.985,
                     *               "range": {
                     *                 "coverage": 90.2,
                     *                 "nominal": 90,
                     *                 "medianRelativeWidth": 24.5,
                     *                 "withheld": 0
                     *               },
                     *               "measuredOn": {
                     *                 "rows": "cross-validation",
                     *                 "heldOut": false,
                     *                 "label": "cross-validation inside the 3,987 training rows (3 folds), not held out"
                     *               }
                     *             },
                     *             "evaluation": {
                     *               "referenceTest": {
                     *                 "n": 997,
                     *                 "mae": 298,
                     *                 "rmse": 566.1999999999999,
                     *                 "mape": 7.1,
                     *                 "mdape": 4.9,
                     *                 "r2": 0.985,
                     *                 "range": {
                     *                   "coverage": 90.6,
                     *                   "nominal": 90,
                     *                   "medianRelativeWidth": 24.5,
                     *                   "withheld": 0
                     *                 },
                     *                 "measuredOn": {
                     *                   "rows": "reference-test",
                     *                   "heldOut": true,
                     *                   "label": "997 reference test rows (held out)"
                     *                 }
                     *               },
                     *               "newest": null,
                     *               "combined": {
                     *                 "n": 997,
                     *                 "mae": 298,
                     *                 "rmse": 566.1999999999999,
                     *                 "mape": 7.1,
                     *                 "mdape": 4.9,
                     *                 "r2": 0.985,
                     *                 "range": {
                     *                   "coverage": 90.6,
                     *                   "nominal": 90,
                     *                   "medianRelativeWidth": 24.5,
                     *                   "withheld": 0
                     *                 },
                     *                 "measuredOn": {
                     *                   "rows": "evaluation",
                     *                   "heldOut": true,
                     *                   "label": "all 997 evaluation rows (held out)"
                     *                 }
                     *               },
                     *               "segments": [
                     *                 {
                     *                   "by": "cut",
                     *                   "segment": "Fair",
                     *                   "n": 31,
                     *                   "mae": 402,
                     *                   "mape": 9.8
                     *                 }
                     *               ],
                     *               "explanation": [
                     *                 {
                     *                   "factor": "carat",
                     *                   "meanAbsEffectPct": 61.2
                     *                 }
                     *               ]
                     *             },
                     *             "champion": null,
                     *             "evaluationRows": {
                     *               "referenceTest": 997,
                     *               "newest": 0,
                     *               "newestFiles": []
                     *             },
                     *             "tuning": null,
                     *             "drift": null,
                     *             "snapshot": {
                     *               "sha256": "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
                     *               "rows": 3987,
                     *               "maxFileId": 1
                     *             },
                     *             "promotionRule": {
                     *               "metric": "mae",
                     *               "tolerance": 0.02,
                     *               "coverageMarginPts": 5
                     *             }
                     *           },
                     *           "durationMs": 1200,
                     *           "gitCommit": null,
                     *           "decision": "first model: promoted",
                     *           "priceBasis": {
                     *             "kind": "appraised market value",
                     *             "currency": "USD",
                     *             "dollarsOf": 2008,
                     *             "description": "An expert appraiser's market value of the stone in US dollars of 2008: the basis of the reference data's prices and of every batch Loupe learns from. Not a retail asking price, and not adjusted for inflation to today's dollars."
                     *           },
                     *           "modelCardUrl": "/v1/models/v0001/card"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/json": {
                        champion: string | null;
                        models: components["schemas"]["Model"][];
                    };
                };
            };
            /** @description Not modified: the answer is still the one whose ETag was sent in If-None-Match. No body. */
            304: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description The input is not valid (or the body is not JSON): each problem names the field, what was wrong and what is allowed. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No valid API key. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The key lacks the scope this endpoint needs. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The key's rate limit is used up; see Retry-After. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Something failed inside Loupe (logged with the X-Request-Id); the request can be retried. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No model is loaded yet, or the database cannot be reached; retry after Retry-After. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getCurrentModel: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "version": "v0001",
                     *       "kind": "gbdt",
                     *       "createdAt": "2026-11-26T16:00:00.000Z",
                     *       "promotedAt": "2026-11-26T16:00:01.000Z",
                     *       "promotion": {
                     *         "action": "promote",
                     *         "reason": "no champion yet: v0001 becomes the first champion"
                     *       },
                     *       "isChampion": true,
                     *       "artifactSha256": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                     *       "trainingDataSha256": "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
                     *       "trainingRows": 3987,
                     *       "params": {},
                     *       "metrics": {
                     *         "version": 2,
                     *         "origin": {
                     *           "by": "pipeline",
                     *           "run": 1,
                     *           "evaluationRowsLeftOut": true
                     *         },
                     *         "outOfFold": {
                     *           "n": 3987,
                     *           "mae": 288,
                     *           "rmse": 547.1999999999999,
                     *           "mape": 7.1,
                     *           "mdape": 4.9,
                     *           "r2": 0.985,
                     *           "range": {
                     *             "coverage": 90.2,
                     *             "nominal": 90,
                     *             "medianRelativeWidth": 24.5,
                     *             "withheld": 0
                     *           },
                     *           "measuredOn": {
                     *             "rows": "cross-validation",
                     *             "heldOut": false,
                     *             "label": "cross-validation inside the 3,987 training rows (3 folds), not held out"
                     *           }
                     *         },
                     *         "evaluation": {
                     *           "referenceTest": {
                     *             "n": 997,
                     *             "mae": 298,
                     *             "rmse": 566.1999999999999,
                     *             "mape": 7.1,
                     *             "mdape": 4.9,
                     *             "r2": 0.985,
                     *             "range": {
                     *               "coverage": 90.6,
                     *               "nominal": 90,
                     *               "medianRelativeWidth": 24.5,
                     *               "withheld": 0
                     *             },
                     *             "measuredOn": {
                     *               "rows": "reference-test",
                     *               "heldOut": true,
                     *               "label": "997 reference test rows (held out)"
                     *             }
                     *           },
                     *           "newest": null,
                     *           "combined": {
                     *             "n": 997,
                     *             "mae": 298,
                     *             "rmse": 566.1999999999999,
                     *             "mape": 7.1,
                     *             "mdape": 4.9,
                     *             "r2": 0.985,
                     *             "range": {
                     *               "coverage": 90.6,
                     *               "nominal": 90,
                     *               "medianRelativeWidth": 24.5,
                     *               "withheld": 0
                     *             },
                     *             "measuredOn": {
                     *               "rows": "evaluation",
                     *               "heldOut": true,
                     *               "label": "all 997 evaluation rows (held out)"
                     *             }
                     *           },
                     *           "segments": [
                     *             {
                     *               "by": "cut",
                     *               "segment": "Fair",
                     *               "n": 31,
                     *               "mae": 402,
                     *               "mape": 9.8
                     *             }
                     *           ],
                     *           "explanation": [
                     *             {
                     *               "factor": "carat",
                     *               "meanAbsEffectPct": 61.2
                     *             }
                     *           ]
                     *         },
                     *         "champion": null,
                     *         "evaluationRows": {
                     *           "referenceTest": 997,
                     *           "newest": 0,
                     *           "newestFiles": []
                     *         },
                     *         "tuning": null,
                     *         "drift": null,
                     *         "snapshot": {
                     *           "sha256": "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
                     *           "rows": 3987,
                     *           "maxFileId": 1
                     *         },
                     *         "promotionRule": {
                     *           "metric": "mae",
                     *           "tolerance": 0.02,
                     *           "coverageMarginPts": 5
                     *         }
                     *       },
                     *       "durationMs": 1200,
                     *       "gitCommit": null,
                     *       "decision": "first model: promoted",
                     *       "priceBasis": {
                     *         "kind": "appraised market value",
                     *         "currency": "USD",
                     *         "dollarsOf": 2008,
                     *         "description": "An expert appraiser's market value of the stone in US dollars of 2008: the basis of the reference data's prices and of every batch Loupe learns from. Not a retail asking price, and not adjusted for inflation to today's dollars."
                     *       },
                     *       "modelCardUrl": "/v1/models/v0001/card",
                     *       "caratLimit": 6.2
                     *     }
                     */
                    "application/json": components["schemas"]["Model"];
                };
            };
            /** @description Not modified: the answer is still the one whose ETag was sent in If-None-Match. No body. */
            304: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description The input is not valid (or the body is not JSON): each problem names the field, what was wrong and what is allowed. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No valid API key. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The key lacks the scope this endpoint needs. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such model. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The key's rate limit is used up; see Retry-After. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Something failed inside Loupe (logged with the X-Request-Id); the request can be retried. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No model is loaded yet, or the database cannot be reached; retry after Retry-After. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getModel: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @example v0001 */
                version: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "version": "v0001",
                     *       "kind": "gbdt",
                     *       "createdAt": "2026-11-26T16:00:00.000Z",
                     *       "promotedAt": "2026-11-26T16:00:01.000Z",
                     *       "promotion": {
                     *         "action": "promote",
                     *         "reason": "no champion yet: v0001 becomes the first champion"
                     *       },
                     *       "isChampion": true,
                     *       "artifactSha256": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                     *       "trainingDataSha256": "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
                     *       "trainingRows": 3987,
                     *       "params": {},
                     *       "metrics": {
                     *         "version": 2,
                     *         "origin": {
                     *           "by": "pipeline",
                     *           "run": 1,
                     *           "evaluationRowsLeftOut": true
                     *         },
                     *         "outOfFold": {
                     *           "n": 3987,
                     *           "mae": 288,
                     *           "rmse": 547.1999999999999,
                     *           "mape": 7.1,
                     *           "mdape": 4.9,
                     *           "r2": 0.985,
                     *           "range": {
                     *             "coverage": 90.2,
                     *             "nominal": 90,
                     *             "medianRelativeWidth": 24.5,
                     *             "withheld": 0
                     *           },
                     *           "measuredOn": {
                     *             "rows": "cross-validation",
                     *             "heldOut": false,
                     *             "label": "cross-validation inside the 3,987 training rows (3 folds), not held out"
                     *           }
                     *         },
                     *         "evaluation": {
                     *           "referenceTest": {
                     *             "n": 997,
                     *             "mae": 298,
                     *             "rmse": 566.1999999999999,
                     *             "mape": 7.1,
                     *             "mdape": 4.9,
                     *             "r2": 0.985,
                     *             "range": {
                     *               "coverage": 90.6,
                     *               "nominal": 90,
                     *               "medianRelativeWidth": 24.5,
                     *               "withheld": 0
                     *             },
                     *             "measuredOn": {
                     *               "rows": "reference-test",
                     *               "heldOut": true,
                     *               "label": "997 reference test rows (held out)"
                     *             }
                     *           },
                     *           "newest": null,
                     *           "combined": {
                     *             "n": 997,
                     *             "mae": 298,
                     *             "rmse": 566.1999999999999,
                     *             "mape": 7.1,
                     *             "mdape": 4.9,
                     *             "r2": 0.985,
                     *             "range": {
                     *               "coverage": 90.6,
                     *               "nominal": 90,
                     *               "medianRelativeWidth": 24.5,
                     *               "withheld": 0
                     *             },
                     *             "measuredOn": {
                     *               "rows": "evaluation",
                     *               "heldOut": true,
                     *               "label": "all 997 evaluation rows (held out)"
                     *             }
                     *           },
                     *           "segments": [
                     *             {
                     *               "by": "cut",
                     *               "segment": "Fair",
                     *               "n": 31,
                     *               "mae": 402,
                     *               "mape": 9.8
                     *             }
                     *           ],
                     *           "explanation": [
                     *             {
                     *               "factor": "carat",
                     *               "meanAbsEffectPct": 61.2
                     *             }
                     *           ]
                     *         },
                     *         "champion": null,
                     *         "evaluationRows": {
                     *           "referenceTest": 997,
                     *           "newest": 0,
                     *           "newestFiles": []
                     *         },
                     *         "tuning": null,
                     *         "drift": null,
                     *         "snapshot": {
                     *           "sha256": "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
                     *           "rows": 3987,
                     *           "maxFileId": 1
                     *         },
                     *         "promotionRule": {
                     *           "metric": "mae",
                     *           "tolerance": 0.02,
                     *           "coverageMarginPts": 5
                     *         }
                     *       },
                     *       "durationMs": 1200,
                     *       "gitCommit": null,
                     *       "decision": "first model: promoted",
                     *       "priceBasis": {
                     *         "kind": "appraised market value",
                     *         "currency": "USD",
                     *         "dollarsOf": 2008,
                     *         "description": "An expert appraiser's market value of the stone in US dollars of 2008: the basis of the reference data's prices and of every batch Loupe learns from. Not a retail asking price, and not adjusted for inflation to today's dollars."
                     *       },
                     *       "modelCardUrl": "/v1/models/v0001/card"
                     *     }
                     */
                    "application/json": components["schemas"]["Model"];
                };
            };
            /** @description Not modified: the answer is still the one whose ETag was sent in If-None-Match. No body. */
            304: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description The input is not valid (or the body is not JSON): each problem names the field, what was wrong and what is allowed. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No valid API key. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The key lacks the scope this endpoint needs. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such model. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The key's rate limit is used up; see Retry-After. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Something failed inside Loupe (logged with the X-Request-Id); the request can be retried. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No model is loaded yet, or the database cannot be reached; retry after Retry-After. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getCurrentModelCard: {
        parameters: {
            query?: {
                format?: "html" | "markdown";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The model card. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/html": string;
                    "text/markdown": string;
                };
            };
            /** @description Not modified: the answer is still the one whose ETag was sent in If-None-Match. No body. */
            304: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description The input is not valid (or the body is not JSON): each problem names the field, what was wrong and what is allowed. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No valid API key. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The key lacks the scope this endpoint needs. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such model. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The key's rate limit is used up; see Retry-After. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Something failed inside Loupe (logged with the X-Request-Id); the request can be retried. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No model is loaded yet, or the database cannot be reached; retry after Retry-After. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getModelCard: {
        parameters: {
            query?: {
                format?: "html" | "markdown";
            };
            header?: never;
            path: {
                /** @example v0001 */
                version: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The model card. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/html": string;
                    "text/markdown": string;
                };
            };
            /** @description Not modified: the answer is still the one whose ETag was sent in If-None-Match. No body. */
            304: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description The input is not valid (or the body is not JSON): each problem names the field, what was wrong and what is allowed. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No valid API key. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The key lacks the scope this endpoint needs. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such model. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The key's rate limit is used up; see Retry-After. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Something failed inside Loupe (logged with the X-Request-Id); the request can be retried. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No model is loaded yet, or the database cannot be reached; retry after Retry-After. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    listRequests: {
        parameters: {
            query?: {
                limit?: number;
                /** @description Only entries older than this id (for paging). */
                before?: number;
                status?: number;
                route?: string;
                /** @description Only the request with this X-Request-Id. */
                requestId?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "nextBefore": null,
                     *       "requests": [
                     *         {
                     *           "id": 1,
                     *           "at": "2026-11-26T16:00:00.000Z",
                     *           "method": "POST",
                     *           "route": "/v1/valuations",
                     *           "url": "/v1/valuations",
                     *           "status": 200,
                     *           "latencyMs": 0.41,
                     *           "keyId": 1,
                     *           "keyName": "ACME",
                     *           "modelVersion": "v0001",
                     *           "requestBody": "{\"carat\":0.9,…}",
                     *           "responseBody": "{\"price\":4530,…}",
                     *           "requestId": "3f1c9a4e-8b7d-4c21-9e55-0d6f2a7b1c88"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/json": {
                        requests: components["schemas"]["LoggedRequest"][];
                        nextBefore: number | null;
                    };
                };
            };
            /** @description The input is not valid (or the body is not JSON): each problem names the field, what was wrong and what is allowed. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No valid API key. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The key lacks the admin scope. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The key's rate limit is used up; see Retry-After. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Something failed inside Loupe (logged with the X-Request-Id); the request can be retried. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No model is loaded yet, or the database cannot be reached; retry after Retry-After. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    listAppraisals: {
        parameters: {
            query?: {
                /** @description Recorded on or after this day (YYYY-MM-DD, UTC). */
                from?: string;
                /** @description Recorded on or before this day (YYYY-MM-DD, UTC). */
                to?: string;
                /** @description Recorded by this key (its name). */
                who?: string;
                cut?: "Fair" | "Good" | "Very Good" | "Premium" | "Ideal";
                color?: "J" | "I" | "H" | "G" | "F" | "E" | "D";
                clarity?: "I1" | "SI2" | "SI1" | "VS2" | "VS1" | "VVS2" | "VVS1" | "IF";
                /** @description true: only those whose expert's price falls outside the current model's range. */
                outside?: boolean;
                /** @description Only the stones of this submission. */
                submission?: number;
                /** @description Start after this row: the `next` of the previous answer (not with offset, nor with format=csv, which exports every match). With outside=, the only way on past the rows an answer looked at. */
                after?: string;
                /** @description csv: every matching appraisal as a CSV file (no paging), streamed 500 recorded rows at a time (with outside=, every row is looked at). */
                format?: "json" | "csv";
                limit?: number;
                offset?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "total": 1,
                     *       "offset": 0,
                     *       "appraisals": [
                     *         {
                     *           "id": 5012,
                     *           "carat": 0.71,
                     *           "cut": "Ideal",
                     *           "color": "F",
                     *           "clarity": "VS1",
                     *           "depth": 61.7,
                     *           "table": 56,
                     *           "price": 3310,
                     *           "x": 5.72,
                     *           "y": 5.75,
                     *           "z": 3.54,
                     *           "submissionId": 7,
                     *           "submissionName": "stone 2026-12-04T15:00:00.000Z.csv",
                     *           "kind": "stone",
                     *           "recordedBy": "Giulia",
                     *           "recordedAt": "2026-12-04T15:00:00.000Z",
                     *           "line": 2,
                     *           "model": {
                     *             "version": "v0003",
                     *             "price": 3180,
                     *             "range": {
                     *               "low": 2790,
                     *               "high": 3620,
                     *               "coverage": 0.9
                     *             },
                     *             "inside": true,
                     *             "difference": 130
                     *           }
                     *         }
                     *       ],
                     *       "next": null,
                     *       "examined": null,
                     *       "recorders": [
                     *         {
                     *           "name": "Giulia",
                     *           "appraisals": 1
                     *         }
                     *       ],
                     *       "learning": {
                     *         "version": "v0004",
                     *         "createdAt": "2026-12-05T03:00:00.000Z",
                     *         "upTo": "2026-12-04T15:00:00.000Z",
                     *         "trainedOn": 1
                     *       }
                     *     }
                     */
                    "application/json": {
                        /** @description Appraisals matching the filter; with outside=, those among the rows looked at (`examined`): all of them only when `next` is null and no `after` was given. */
                        total: number;
                        offset: number;
                        appraisals: {
                            /** @description The stored diamond. */
                            id: number;
                            carat: number;
                            cut: string;
                            color: string;
                            clarity: string;
                            depth: number;
                            table: number;
                            price: number;
                            x: number;
                            y: number;
                            z: number;
                            submissionId: number;
                            submissionName: string;
                            kind: "stone" | "upload";
                            recordedBy: string;
                            recordedAt: string;
                            line: number;
                            /** @description What the model serving now says of this stone (null while no model is loaded). */
                            model: {
                                version: string;
                                /** @description The model's price, USD (rounded as a quote). */
                                price: number;
                                range: {
                                    low: number;
                                    high: number;
                                    coverage: number;
                                } | null;
                                /** @description Whether the expert's price lies within the range (null: no range). */
                                inside: boolean | null;
                                /** @description The expert's price minus the model's, USD. */
                                difference: number;
                            } | null;
                        }[];
                        /** @description Where to go on (send it as ?after=): after the page without outside=; with it, after the last row looked at. null: nothing is left. */
                        next: string | null;
                        /** @description With outside=: the recorded appraisals looked at (valued, if they matched the other filters) to answer, at most 2,000. null without outside= (the database counted every match). */
                        examined: number | null;
                        recorders: {
                            name: string;
                            appraisals: number;
                        }[];
                        /** @description The newest model that learned from recorded appraisals (null: none yet). */
                        learning: {
                            version: string;
                            createdAt: string;
                            /** @description Appraisals recorded up to this time were in its data. */
                            upTo: string;
                            /** @description Recorded appraisals it trained on (the rest of those are its holdout). */
                            trainedOn: number;
                        } | null;
                        /** @description Present when a grade filter was read in another spelling (`normalised`). */
                        warnings?: components["schemas"]["Warning"][];
                    };
                };
            };
            /** @description A query parameter is not valid, or `after` is given with an offset. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No valid API key. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The key lacks the scope this endpoint needs. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The key's rate limit is used up; see Retry-After. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Something failed inside Loupe (logged with the X-Request-Id); the request can be retried. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No model is loaded yet, or the database cannot be reached; retry after Retry-After. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    recordAppraisals: {
        parameters: {
            query?: {
                /** @description The file name, as shown in listings. */
                name?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "carat": 0.71,
                 *       "cut": "Ideal",
                 *       "color": "F",
                 *       "clarity": "VS1",
                 *       "depth": 61.7,
                 *       "table": 56,
                 *       "price": 3310,
                 *       "x": 5.72,
                 *       "y": 5.75,
                 *       "z": 3.54,
                 *       "ref": "A-1042"
                 *     }
                 */
                "application/json": {
                    /** @description Carat */
                    carat?: number | string;
                    /** @description Cut */
                    cut?: number | string;
                    /** @description Colour */
                    color?: number | string;
                    /** @description Clarity */
                    clarity?: number | string;
                    /** @description Depth */
                    depth?: number | string;
                    /** @description Table */
                    table?: number | string;
                    /** @description Price */
                    price?: number | string;
                    /** @description Length (x) */
                    x?: number | string;
                    /** @description Width (y) */
                    y?: number | string;
                    /** @description Depth (z) */
                    z?: number | string;
                    /** @description Your stock reference, kept with the stone. */
                    ref?: string;
                };
                /**
                 * @example carat,cut,color,clarity,depth,table,price,x,y,z
                 *     0.71,Ideal,F,VS1,61.7,56,3310,5.72,5.75,3.54
                 */
                "text/csv": unknown;
            };
        };
        responses: {
            /** @description Default Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "submission": {
                     *         "id": 7,
                     *         "name": "stone 2026-12-04T15:00:00.000Z.csv",
                     *         "kind": "stone",
                     *         "recordedBy": "Giulia",
                     *         "recordedAt": "2026-12-04T15:00:00.000Z",
                     *         "rowsRead": 1,
                     *         "accepted": 1,
                     *         "rejected": 0
                     *       },
                     *       "appraisals": [
                     *         {
                     *           "id": 5012,
                     *           "carat": 0.71,
                     *           "cut": "Ideal",
                     *           "color": "F",
                     *           "clarity": "VS1",
                     *           "depth": 61.7,
                     *           "table": 56,
                     *           "price": 3310,
                     *           "x": 5.72,
                     *           "y": 5.75,
                     *           "z": 3.54,
                     *           "submissionId": 7,
                     *           "submissionName": "stone 2026-12-04T15:00:00.000Z.csv",
                     *           "kind": "stone",
                     *           "recordedBy": "Giulia",
                     *           "recordedAt": "2026-12-04T15:00:00.000Z",
                     *           "line": 2,
                     *           "model": {
                     *             "version": "v0003",
                     *             "price": 3180,
                     *             "range": {
                     *               "low": 2790,
                     *               "high": 3620,
                     *               "coverage": 0.9
                     *             },
                     *             "inside": true,
                     *             "difference": 130
                     *           }
                     *         }
                     *       ],
                     *       "rejects": []
                     *     }
                     */
                    "application/json": {
                        submission: {
                            id: number;
                            name: string;
                            kind: "stone" | "upload";
                            recordedBy: string;
                            recordedAt: string;
                            rowsRead: number;
                            accepted: number;
                            rejected: number;
                        };
                        /** @description The recorded stones, at most the first 1,000 (submission.accepted counts them all; GET /v1/appraisals?submission={id} pages the rest). */
                        appraisals: {
                            /** @description The stored diamond. */
                            id: number;
                            carat: number;
                            cut: string;
                            color: string;
                            clarity: string;
                            depth: number;
                            table: number;
                            price: number;
                            x: number;
                            y: number;
                            z: number;
                            submissionId: number;
                            submissionName: string;
                            kind: "stone" | "upload";
                            recordedBy: string;
                            recordedAt: string;
                            line: number;
                            /** @description What the model serving now says of this stone (null while no model is loaded). */
                            model: {
                                version: string;
                                /** @description The model's price, USD (rounded as a quote). */
                                price: number;
                                range: {
                                    low: number;
                                    high: number;
                                    coverage: number;
                                } | null;
                                /** @description Whether the expert's price lies within the range (null: no range). */
                                inside: boolean | null;
                                /** @description The expert's price minus the model's, USD. */
                                difference: number;
                            } | null;
                        }[];
                        /** @description The rejected rows, at most the first 1,000 in file order (submission.rejected counts them all; GET /v1/appraisals/rejects?submission={id} pages the rest). */
                        rejects: {
                            id: number;
                            submissionId: number;
                            submissionName: string;
                            recordedBy: string;
                            recordedAt: string;
                            line: number;
                            rawText: string;
                            /** @description The row by column name (the ten fields and any others), as it stood, for correcting it. */
                            fields: {
                                [key: string]: string;
                            };
                            reasons: components["schemas"]["FieldProblem"][];
                        }[];
                    };
                };
            };
            /** @description A whole-file problem (not UTF-8, binary, no required column, too many columns…) or bad input. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No valid API key. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The key lacks the scope this endpoint needs. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The same file was uploaded before. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The file is larger than 8 MiB. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Neither JSON (one stone) nor CSV (a file), or compressed (/problems/unsupported-encoding: only identity is accepted). */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The key's rate limit is used up; see Retry-After. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Something failed inside Loupe (logged with the X-Request-Id); the request can be retried. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No model is loaded yet, or the database cannot be reached; retry after Retry-After. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The server's disk is full: nothing was stored; send it again once space has been freed. */
            507: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    listRejects: {
        parameters: {
            query?: {
                /** @description Only the rejected rows of this submission. */
                submission?: number;
                limit?: number;
                offset?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "total": 1,
                     *       "offset": 0,
                     *       "rejects": [
                     *         {
                     *           "id": 31,
                     *           "submissionId": 8,
                     *           "submissionName": "week.csv",
                     *           "recordedBy": "Giulia",
                     *           "recordedAt": "2026-12-04T15:05:00.000Z",
                     *           "line": 3,
                     *           "rawText": "36,Ideal,G,VS2,61.8,57,950,4.6,4.63,2.85",
                     *           "fields": {
                     *             "carat": "36",
                     *             "cut": "Ideal",
                     *             "color": "G",
                     *             "clarity": "VS2",
                     *             "depth": "61.8",
                     *             "table": "57",
                     *             "price": "950",
                     *             "x": "4.6",
                     *             "y": "4.63",
                     *             "z": "2.85"
                     *           },
                     *           "reasons": [
                     *             {
                     *               "field": "carat",
                     *               "code": "out_of_range",
                     *               "message": "Carat 36 is out of range; the stone's measurements suggest about 0.37 ct, so it was probably meant as 0.36 ct (typed in points: 100 points = 1 carat).",
                     *               "allowed": "a number from 0.1 to 10 ct",
                     *               "suggestion": "0.36"
                     *             }
                     *           ]
                     *         }
                     *       ]
                     *     }
                     */
                    "application/json": {
                        /** @description Open rejected rows in all (of the submission, with ?submission=); `rejects` is the page asked for. */
                        total: number;
                        offset: number;
                        rejects: {
                            id: number;
                            submissionId: number;
                            submissionName: string;
                            recordedBy: string;
                            recordedAt: string;
                            line: number;
                            rawText: string;
                            /** @description The row by column name (the ten fields and any others), as it stood, for correcting it. */
                            fields: {
                                [key: string]: string;
                            };
                            reasons: components["schemas"]["FieldProblem"][];
                        }[];
                    };
                };
            };
            /** @description The input is not valid (or the body is not JSON): each problem names the field, what was wrong and what is allowed. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No valid API key. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The key lacks the scope this endpoint needs. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The key's rate limit is used up; see Retry-After. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Something failed inside Loupe (logged with the X-Request-Id); the request can be retried. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No model is loaded yet, or the database cannot be reached; retry after Retry-After. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    fixReject: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @example 3 */
                id: number;
            };
            cookie?: never;
        };
        /** @description A stone and the price the expert appraised it at. Values are checked exactly as a row of a CSV file is (numbers may be sent as text, as a spreadsheet would hold them); a row that fails is kept as a rejected row with its reasons. */
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "carat": 0.71,
                 *       "cut": "Ideal",
                 *       "color": "F",
                 *       "clarity": "VS1",
                 *       "depth": 61.7,
                 *       "table": 56,
                 *       "price": 3310,
                 *       "x": 5.72,
                 *       "y": 5.75,
                 *       "z": 3.54,
                 *       "ref": "A-1042"
                 *     }
                 */
                "application/json": {
                    /** @description Carat */
                    carat?: number | string;
                    /** @description Cut */
                    cut?: number | string;
                    /** @description Colour */
                    color?: number | string;
                    /** @description Clarity */
                    clarity?: number | string;
                    /** @description Depth */
                    depth?: number | string;
                    /** @description Table */
                    table?: number | string;
                    /** @description Price */
                    price?: number | string;
                    /** @description Length (x) */
                    x?: number | string;
                    /** @description Width (y) */
                    y?: number | string;
                    /** @description Depth (z) */
                    z?: number | string;
                    /** @description Your stock reference, kept with the stone. */
                    ref?: string;
                };
            };
        };
        responses: {
            /** @description Default Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "submission": {
                     *         "id": 7,
                     *         "name": "stone 2026-12-04T15:00:00.000Z.csv",
                     *         "kind": "stone",
                     *         "recordedBy": "Giulia",
                     *         "recordedAt": "2026-12-04T15:00:00.000Z",
                     *         "rowsRead": 1,
                     *         "accepted": 1,
                     *         "rejected": 0
                     *       },
                     *       "appraisals": [
                     *         {
                     *           "id": 5012,
                     *           "carat": 0.71,
                     *           "cut": "Ideal",
                     *           "color": "F",
                     *           "clarity": "VS1",
                     *           "depth": 61.7,
                     *           "table": 56,
                     *           "price": 3310,
                     *           "x": 5.72,
                     *           "y": 5.75,
                     *           "z": 3.54,
                     *           "submissionId": 7,
                     *           "submissionName": "stone 2026-12-04T15:00:00.000Z.csv",
                     *           "kind": "stone",
                     *           "recordedBy": "Giulia",
                     *           "recordedAt": "2026-12-04T15:00:00.000Z",
                     *           "line": 2,
                     *           "model": {
                     *             "version": "v0003",
                     *             "price": 3180,
                     *             "range": {
                     *               "low": 2790,
                     *               "high": 3620,
                     *               "coverage": 0.9
                     *             },
                     *             "inside": true,
                     *             "difference": 130
                     *           }
                     *         }
                     *       ],
                     *       "rejects": []
                     *     }
                     */
                    "application/json": {
                        submission: {
                            id: number;
                            name: string;
                            kind: "stone" | "upload";
                            recordedBy: string;
                            recordedAt: string;
                            rowsRead: number;
                            accepted: number;
                            rejected: number;
                        };
                        /** @description The recorded stones, at most the first 1,000 (submission.accepted counts them all; GET /v1/appraisals?submission={id} pages the rest). */
                        appraisals: {
                            /** @description The stored diamond. */
                            id: number;
                            carat: number;
                            cut: string;
                            color: string;
                            clarity: string;
                            depth: number;
                            table: number;
                            price: number;
                            x: number;
                            y: number;
                            z: number;
                            submissionId: number;
                            submissionName: string;
                            kind: "stone" | "upload";
                            recordedBy: string;
                            recordedAt: string;
                            line: number;
                            /** @description What the model serving now says of this stone (null while no model is loaded). */
                            model: {
                                version: string;
                                /** @description The model's price, USD (rounded as a quote). */
                                price: number;
                                range: {
                                    low: number;
                                    high: number;
                                    coverage: number;
                                } | null;
                                /** @description Whether the expert's price lies within the range (null: no range). */
                                inside: boolean | null;
                                /** @description The expert's price minus the model's, USD. */
                                difference: number;
                            } | null;
                        }[];
                        /** @description The rejected rows, at most the first 1,000 in file order (submission.rejected counts them all; GET /v1/appraisals/rejects?submission={id} pages the rest). */
                        rejects: {
                            id: number;
                            submissionId: number;
                            submissionName: string;
                            recordedBy: string;
                            recordedAt: string;
                            line: number;
                            rawText: string;
                            /** @description The row by column name (the ten fields and any others), as it stood, for correcting it. */
                            fields: {
                                [key: string]: string;
                            };
                            reasons: components["schemas"]["FieldProblem"][];
                        }[];
                    };
                };
            };
            /** @description The input is not valid (or the body is not JSON): each problem names the field, what was wrong and what is allowed. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No valid API key. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The key lacks the scope this endpoint needs. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such open rejected row. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is larger than the endpoint accepts. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is not JSON (Content-Type: application/json), or it is compressed (/problems/unsupported-encoding: only identity is accepted). */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The key's rate limit is used up; see Retry-After. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Something failed inside Loupe (logged with the X-Request-Id); the request can be retried. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No model is loaded yet, or the database cannot be reached; retry after Retry-After. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The server's disk is full: nothing was stored; send it again once space has been freed. */
            507: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    dismissReject: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @example 3 */
                id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "dismissed": 31
                     *     }
                     */
                    "application/json": {
                        dismissed: number;
                    };
                };
            };
            /** @description The input is not valid (or the body is not JSON): each problem names the field, what was wrong and what is allowed. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No valid API key. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The key lacks the scope this endpoint needs. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such open rejected row. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is larger than the endpoint accepts. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is not JSON (Content-Type: application/json), or it is compressed (/problems/unsupported-encoding: only identity is accepted). */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The key's rate limit is used up; see Retry-After. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Something failed inside Loupe (logged with the X-Request-Id); the request can be retried. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No model is loaded yet, or the database cannot be reached; retry after Retry-After. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The server's disk is full: nothing was stored; send it again once space has been freed. */
            507: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
}
