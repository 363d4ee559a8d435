// density-clustering ships no types; only the part this stage uses is declared.
declare module 'density-clustering' {
  type Distance = (a: number[], b: number[]) => number;
  export class DBSCAN {
    constructor();
    /** clusters as lists of dataset indices; points in no cluster are left in `noise` */
    run(dataset: number[][], epsilon: number, minPts: number, distance?: Distance): number[][];
    noise: number[];
  }
  const clustering: { DBSCAN: typeof DBSCAN };
  export default clustering;
}
