// The limits of tree reads, shared by the service and the inputs that validate against them.

/** The most nodes a subtree or a list of children holds (the first, in name order). */
export const maxSubtreeSize = 10_000;
/**
 * The most ancestors listed: the nearest ones. Real trees are under ten levels deep
 * (organisation, site, area, machine, component...); a deeper tree loses its top levels here.
 */
export const maxAncestors = 64;
