import { DomainError } from '@sextant/domain';
import type { JobType } from './job-type';
import { checkJobType } from './workflow';

/** The job types a process knows, by name. */
export class JobTypeRegistry {
  private readonly types = new Map<string, JobType>();

  constructor(types: JobType[] = []) {
    for (const type of types) this.register(type);
  }

  /** Adds a job type after checking its definition; a name may be registered once. */
  register(type: JobType): this {
    checkJobType(type);
    if (this.types.has(type.name)) throw new Error(`job type ${type.name} is registered twice`);
    this.types.set(type.name, type);
    return this;
  }

  has(name: string): boolean {
    return this.types.has(name);
  }

  /** The job type, or a JobTypeNotFound error (404). */
  get(name: string): JobType {
    const type = this.types.get(name);
    if (!type) {
      throw new DomainError(
        'JobTypeNotFound',
        `no job type ${name} (known: ${[...this.types.keys()].join(', ')})`,
      );
    }
    return type;
  }

  list(): JobType[] {
    return [...this.types.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  names(): string[] {
    return this.list().map((t) => t.name);
  }
}
