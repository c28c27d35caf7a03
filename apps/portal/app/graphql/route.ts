import { forward } from '@/lib/proxy';

export const dynamic = 'force-dynamic';

export async function POST(request: Request): Promise<Response> {
  return forward(request, '/graphql');
}

export async function GET(request: Request): Promise<Response> {
  return forward(request, '/graphql');
}
