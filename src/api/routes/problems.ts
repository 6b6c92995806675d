/**
 * GET /problems/{slug}: what each problem type means (the `type` of every problem+json answer resolves here).
 */
import type { FastifyPluginAsync } from 'fastify';
import { ApiProblem, PROBLEM_TYPES, type ProblemSlug } from '../problem.js';

export const problemRoutes: FastifyPluginAsync = async (app) => {
  app.get<{ Params: { slug: string } }>('/problems/:slug', { schema: { hide: true } }, async (request) => {
    const slug = request.params.slug;
    if (!Object.hasOwn(PROBLEM_TYPES, slug))
      throw new ApiProblem('not-found', `There is no problem type ${JSON.stringify(slug.slice(0, 100))}.`);
    const p = PROBLEM_TYPES[slug as ProblemSlug];
    return { type: `/problems/${slug}`, title: p.title, status: p.status, about: p.about };
  });
};
